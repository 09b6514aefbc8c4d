namespace Caxton.Bench
{
    /// <summary>One method the JIT compiled, as <see cref="JitListener.Methods"/> reports it.</summary>
    public sealed class JitMethod
    {
        public JitMethod(string step, string assembly, string method, string tier, bool readyToRunRejected)
        {
            Step = step;
            Assembly = assembly;
            Method = method;
            Tier = tier;
            ReadyToRunRejected = readyToRunRejected;
        }

        public string Step { get; }

        public string Assembly { get; }

        public string Method { get; }

        public string Tier { get; }

        /// <summary>The assembly had precompiled code for the method, and the runtime refused it.</summary>
        public bool ReadyToRunRejected { get; }
    }
}
