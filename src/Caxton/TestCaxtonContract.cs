using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;

namespace Caxton.Commands
{
    /// <summary>
    /// Test-CaxtonContract: checks the decisions of docs/contract.md against the server a connection
    /// points at, one result per decision. Thin: the checks are the engine's ContractProbe; this cmdlet
    /// asks before each check that changes the account (ConfirmImpact High) and says what it voids.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "CaxtonContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ContractCheck), typeof(string))]
    public sealed class TestCaxtonContractCommand : CaxtonConnectedCmdlet
    {
        /// <summary>The Clientname of the held Username; the reset and the generate name the account by both.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ClientnameCompleter))]
        public string? Clientname { get; set; }

        /// <summary>Reset the main account's credentials and generate a new password (voids the current one).</summary>
        [Parameter]
        public SwitchParameter Reset { get; set; }

        /// <summary>Generate Password while a password is active (a server that issues one may void the current password).</summary>
        [Parameter]
        public SwitchParameter GenerateWhileActive { get; set; }

        /// <summary>Ask for tokens at a steady pace until a 429 or -RateLimitRequests.</summary>
        [Parameter]
        public SwitchParameter TokenRateLimit { get; set; }

        /// <summary>With -TokenRateLimit: the most token requests to send.</summary>
        [Parameter]
        [ValidateRange(1, ContractProbeOptions.MaximumRateLimitRequests)]
        public int RateLimitRequests { get; set; } = ContractProbeOptions.DefaultRateLimitRequests;

        /// <summary>With -TokenRateLimit: the seconds over which the requests are spread evenly.</summary>
        [Parameter]
        [ValidateRange(1, 600)]
        public int RateLimitSeconds { get; set; } = 60;

        /// <summary>Output one Markdown report instead of the result objects.</summary>
        [Parameter]
        public SwitchParameter AsMarkdown { get; set; }

        /// <summary>Run the checks the switches name without asking for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override object? ErrorTarget => Connection?.Name;

        protected override void ProcessCaxtonRecord() => Probe();

        private void Probe()
        {
            var connection = ResolveConnection();
            var requested = new ContractProbeOptions
            {
                Clientname = Clientname,
                Reset = Reset,
                GenerateWhileActive = GenerateWhileActive,
                TokenRateLimit = TokenRateLimit,
                RateLimitRequests = RateLimitRequests,
                RateLimitWindow = TimeSpan.FromSeconds(RateLimitSeconds),
            };

            // Refuses a missing -Clientname before any prompt.
            _ = new ContractProbe(connection, requested);

            // Each check that changes the account is asked for on its own; a declined one reports Unknown.
            var account = $"Caxton main account '{connection.Username}' ({Clientname}) at {connection.BaseUri}";
            var options = requested with
            {
                GenerateWhileActive = GenerateWhileActive && connection.Username != null && Approve(account, "-GenerateWhileActive",
                    "Generate Password while a client password is active, to see whether Caxton refuses it. If Caxton issues a new password instead, the current one may stop working for every runbook using it; the connection then holds the new one"),
                Reset = Reset && connection.Username != null && Approve(account, "-Reset",
                    "Reset the client credentials, then generate a new client password. This voids the current client password for every runbook using it, and any token Caxton ends on a reset; the connection then holds the new password, which you must store"),
                TokenRateLimit = TokenRateLimit && connection.Username != null && Approve(account, "-TokenRateLimit",
                    string.Format(CultureInfo.InvariantCulture, "Request up to {0} tokens over {1} s, stopping at the first HTTP 429. Caxton may then refuse this client's token requests for a while", RateLimitRequests, RateLimitSeconds)),
            };

            var probe = new ContractProbe(connection, options);
            var checks = Invoke((log, cancel) => probe.RunAsync(log, cancel));
            if (AsMarkdown)
            {
                WriteObject(ContractReport.ToMarkdown(checks, connection, options, ModuleVersion(), PowerShellVersion(), Platform(), DateTimeOffset.UtcNow));
                return;
            }

            foreach (var check in checks)
            {
                WriteObject(check);
            }
        }

        /// <summary>Confirmation (or -WhatIf) for one check; when it will run, it says first what it voids.</summary>
        private bool Approve(string account, string check, string action)
        {
            if (!ShouldProcessUnlessForced(Force, account, action))
            {
                return false;
            }

            WriteWarning($"Test-CaxtonContract {check}: {action}.");
            return true;
        }

        private string ModuleVersion() =>
            MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(TestCaxtonContractCommand).Assembly.GetName().Version?.ToString() ?? "unknown";

        private string PowerShellVersion()
        {
            var table = GetVariableValue("PSVersionTable") as IDictionary;
            var version = table?["PSVersion"]?.ToString() ?? "unknown";
            var edition = table?["PSEdition"]?.ToString() ?? "Desktop";
            return $"{version} ({edition})";
        }

        private static string Platform() =>
            $"{RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}";
    }
}
