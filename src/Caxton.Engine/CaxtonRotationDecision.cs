namespace Caxton
{
    /// <summary>Whether a scheduled rotation renews the password now, and why (said under -Verbose).</summary>
    public sealed class CaxtonRotationDecision
    {
        private CaxtonRotationDecision(bool rotate, string reason)
        {
            ShouldRotate = rotate;
            Reason = reason;
        }

        public bool ShouldRotate { get; }

        public string Reason { get; }

        internal static CaxtonRotationDecision Rotate(string reason) => new CaxtonRotationDecision(true, reason);

        internal static CaxtonRotationDecision Skip(string reason) => new CaxtonRotationDecision(false, reason);

        public override string ToString() => Reason;
    }
}
