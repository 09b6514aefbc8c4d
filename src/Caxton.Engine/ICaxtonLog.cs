namespace Caxton
{
    /// <summary>
    /// Where the engine reports progress. The cmdlets forward it to -Verbose, warnings and -Debug on the
    /// pipeline thread. Nothing written here may contain a secret.
    /// </summary>
    public interface ICaxtonLog
    {
        void Verbose(string message);

        void Warning(string message);

        void Debug(string message);
    }

    internal sealed class NullLog : ICaxtonLog
    {
        public static readonly NullLog Instance = new NullLog();

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
