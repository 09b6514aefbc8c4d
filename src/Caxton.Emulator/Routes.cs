namespace Caxton.Emulator;

/// <summary>The contract's endpoints under /api/: one spelling, for the endpoint map and for RequestStats.</summary>
internal static class Routes
{
    public const string Register = "clients/auth/register";
    public const string Token = "token";
    public const string Reset = "clients/auth/reset";
    public const string Subsidiary = "clients/subsidiary";

    /// <summary>Where the reset is served under the reset-path contradiction (see Contradictions).</summary>
    public const string ContradictedReset = "clients/auth/resetcredentials";
    public const string BanksPrefix = "reference/lookup/banks/";
    public const string Banks = BanksPrefix + "{ccy}";
}
