namespace Caxton
{
    /// <summary>What kind of failure; the cmdlets map it to a PowerShell ErrorCategory.</summary>
    public enum CaxtonErrorKind
    {
        InvalidArgument,
        InvalidOperation,
        Authentication,
        PermissionDenied,
        NotFound,
        ResourceExists,
        InvalidResponse,
        ConnectionFailed,
        Timeout,
        LimitsExceeded,
        ServiceUnavailable,

        /// <summary>A security check refused the peer (its certificate): SecurityError.</summary>
        Security,
    }
}
