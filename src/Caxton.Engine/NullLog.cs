namespace Caxton
{
    /// <summary>A log that drops everything, for callers that want no messages.</summary>
    public sealed class NullLog : ICaxtonLog
    {
        public static readonly NullLog Instance = new NullLog();

        public bool IsVerboseEnabled => false;

        public bool IsDebugEnabled => false;

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Debug(string message)
        {
        }
    }
}
