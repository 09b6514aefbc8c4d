using System;
using System.Diagnostics;

namespace Caxton.Transport
{
    /// <summary>
    /// The time one cmdlet call may take, whatever it does inside: a token refresh, attempts, waits, and
    /// the second try after a 401 all draw on the same budget.
    /// </summary>
    internal sealed class CallBudget
    {
        private readonly Stopwatch elapsed = Stopwatch.StartNew();

        public CallBudget(TimeSpan total)
        {
            Total = total;
        }

        public TimeSpan Total { get; }

        /// <summary>What is left; never negative.</summary>
        public TimeSpan Remaining
        {
            get
            {
                var left = Total - elapsed.Elapsed;
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        public bool IsSpent => Remaining <= TimeSpan.Zero;
    }
}
