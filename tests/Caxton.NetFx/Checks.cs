using System;

namespace Caxton.NetFx
{
    /// <summary>Runs named checks, prints each outcome, and counts them for the closing line.</summary>
    internal sealed class Checks
    {
        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public void Run(string name, Action check)
        {
            try
            {
                check();
                Passed++;
                Console.WriteLine($"  [pass] {name}");
            }
            catch (Exception e)
            {
                Failed++;
                Console.WriteLine($"  [FAIL] {name}: {e.GetType().Name}: {e.Message}");
            }
        }

        public static void Expect(bool condition, string failure)
        {
            if (!condition)
            {
                throw new CheckFailedException(failure);
            }
        }

        private sealed class CheckFailedException : Exception
        {
            public CheckFailedException(string message)
                : base(message)
            {
            }
        }
    }
}
