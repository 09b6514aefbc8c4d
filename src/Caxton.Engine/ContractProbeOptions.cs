using System;

namespace Caxton
{
    /// <summary>
    /// Which of Test-CaxtonContract's checks that change the account may run. None by default: the
    /// default checks send only requests that cannot change anything.
    /// </summary>
    public sealed record ContractProbeOptions
    {
        public const int DefaultRateLimitRequests = 30;
        public const int MaximumRateLimitRequests = 120;

        /// <summary>The held Username's Clientname: needed by the reset and the generate.</summary>
        public string? Clientname { get; init; }

        /// <summary>Reset the main account's credentials (voids its password), then generate a new one, which the connection holds.</summary>
        public bool Reset { get; init; }

        /// <summary>Generate Password while a password is active (a server that issues a second one may void the first).</summary>
        public bool GenerateWhileActive { get; init; }

        /// <summary>Ask for up to <see cref="RateLimitRequests"/> tokens, spread over <see cref="RateLimitWindow"/>, stopping at the first 429.</summary>
        public bool TokenRateLimit { get; init; }

        public int RateLimitRequests { get; init; } = DefaultRateLimitRequests;

        public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);
    }
}
