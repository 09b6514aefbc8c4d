namespace Caxton
{
    /// <summary>
    /// One decision of docs/contract.md as Test-CaxtonContract found it: its stable id, the finding and
    /// the evidence (status codes, member and header names, timings; never a secret or a body).
    /// </summary>
    public sealed class ContractCheck
    {
        public ContractCheck(string decision, ContractCheckStatus status, string evidence, string expected, bool documented)
        {
            Decision = decision;
            Status = status;
            Evidence = evidence;
            Expected = expected;
            Documented = documented;
        }

        /// <summary>The decision's id, as docs/contract.md marks it (e.g. <c>token-type</c>).</summary>
        public string Decision { get; }

        public ContractCheckStatus Status { get; }

        /// <summary>What was seen, redacted: status codes, member names, header names, timings.</summary>
        public string Evidence { get; }

        /// <summary>What docs/contract.md says, in one sentence.</summary>
        public string Expected { get; }

        /// <summary>True when Caxton's documentation states it; false when it is this project's decision.</summary>
        public bool Documented { get; }

        public override string ToString() => $"{Decision}: {Status}";
    }
}
