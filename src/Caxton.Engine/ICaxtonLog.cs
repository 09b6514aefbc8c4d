namespace Caxton
{
    /// <summary>
    /// Where the engine reports progress. The cmdlets forward it to -Verbose, warnings and -Debug on the
    /// pipeline thread. Nothing written here may contain a secret.
    /// </summary>
    public interface ICaxtonLog
    {
        /// <summary>Whether verbose messages are shown; when not, the engine does not build them.</summary>
        bool IsVerboseEnabled { get; }

        /// <summary>Whether debug traces are shown; when not, the engine does not build them.</summary>
        bool IsDebugEnabled { get; }

        void Verbose(string message);

        void Warning(string message);

        void Debug(string message);
    }
}
