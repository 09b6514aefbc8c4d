namespace Caxton
{
    /// <summary>What Test-CaxtonContract found for one decision of docs/contract.md.</summary>
    public enum ContractCheckStatus
    {
        /// <summary>The server behaved as the decision says.</summary>
        Confirmed,

        /// <summary>The server behaved otherwise: the evidence says how.</summary>
        Contradicted,

        /// <summary>Not checked (its switch was not given, or was declined) or not decidable from the answers.</summary>
        Unknown,
    }
}
