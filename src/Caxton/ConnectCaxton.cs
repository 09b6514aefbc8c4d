using System;
using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Connect-Caxton: chooses the environment and makes the connection the runspace default.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Caxton", DefaultParameterSetName = EnvironmentSet)]
    [OutputType(typeof(CaxtonConnection))]
    public sealed class ConnectCaxtonCommand : CaxtonCmdlet
    {
        private const string EnvironmentSet = "Environment";
        private const string BaseUriSet = "BaseUri";

        [Parameter(Position = 0, ParameterSetName = EnvironmentSet)]
        [ValidateSet(CaxtonEnvironment.Sandbox, CaxtonEnvironment.Staging, CaxtonEnvironment.Production)]
        public string Environment { get; set; } = CaxtonEnvironment.Sandbox;

        [Parameter(Mandatory = true, ParameterSetName = BaseUriSet)]
        [ValidateNotNull]
        public Uri? BaseUri { get; set; }

        /// <summary>A name to pick this connection by later: -Connection NAME on every cmdlet.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Username and ClientPassword; when given, a token is fetched now to prove them.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Path of Reset Client Credentials, which the docs do not publish.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ResetPath { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = (int)CaxtonConnection.DefaultTimeout.TotalSeconds;

        /// <summary>Retries after a first attempt, for failures safe to repeat (0 turns retries off).</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        [PSDefaultValue(Value = CaxtonTransportOptions.DefaultMaximumRetryCount)]
        public int MaximumRetryCount { get; set; } = CaxtonTransportOptions.DefaultMaximumRetryCount;

        /// <summary>Accept any server certificate. For test hosts only: it removes the protection TLS gives.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>A proxy to use instead of the system proxy.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? Proxy { get; set; }

        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? ProxyCredential { get; set; }

        /// <summary>Authenticate to the proxy as the current user.</summary>
        [Parameter]
        public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        /// <summary>Every failure of Connect-Caxton ends the command: no half-made connection becomes the default.</summary>
        protected override void ProcessRecord() => RunWithOneFailurePath(CaxtonEnvironment.WithoutUserInfo(BaseUri), ConnectOrForget, terminating: true);

        /// <summary>
        /// A failed connect (any failure, Ctrl+C included) leaves the slots it targeted empty: a runbook
        /// that goes on after it must not reach an older connection's host or identity.
        /// </summary>
        private void ConnectOrForget()
        {
            try
            {
                Connect();
            }
            catch (Exception exception)
            {
                ConnectionStore.ConnectFailed(Name, $"{Target()}: {Describe(exception)}");
                throw;
            }
        }

        private string Target() => ParameterSetName == BaseUriSet ? $"-BaseUri {CaxtonEnvironment.WithoutUserInfo(BaseUri)}" : $"-Environment {Environment}";

        /// <summary>The failure in words for a later NotConnected: only our own messages, which hold no secret.</summary>
        private static string Describe(Exception exception)
        {
            var inner = exception is IContainsErrorRecord record ? record.ErrorRecord.Exception : exception;
            switch (inner)
            {
                case CaxtonException caxton:
                    return $"{caxton.ErrorId}: {caxton.Message}";
                case PipelineStoppedException _:
                case OperationCanceledException _:
                    return "it was stopped before it finished";
                default:
                    return "an unexpected error";
            }
        }

        private void Connect()
        {
            // One ErrorId per conflict, as the web cmdlets' ValidateParameters does.
            if (ProxyCredential != null && ProxyUseDefaultCredentials)
            {
                ThrowCaxtonError(
                    new CaxtonException(CaxtonErrorIds.ProxyCredentialConflict, CaxtonErrorKind.InvalidArgument, "-ProxyCredential and -ProxyUseDefaultCredentials cannot be used together: give one of them."),
                    ProxyCredential.UserName);
            }

            if (ProxyCredential != null && Proxy is null)
            {
                ThrowCaxtonError(
                    new CaxtonException(CaxtonErrorIds.ProxyUriRequired, CaxtonErrorKind.InvalidArgument, "-ProxyCredential needs -Proxy: the system proxy takes no explicit credential."),
                    ProxyCredential.UserName);
            }

            var baseUri = ParameterSetName == BaseUriSet ? BaseUri! : CaxtonEnvironment.GetBaseUri(Environment);
            var options = new CaxtonTransportOptions
            {
                MaximumRetryCount = MaximumRetryCount,
                SkipCertificateCheck = SkipCertificateCheck,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
            };
            var connection = new CaxtonConnection(baseUri, Name, ResetPath, TimeSpan.FromSeconds(TimeoutSec), options);

            if (SkipCertificateCheck)
            {
                WriteWarning($"Certificate checks are off for {connection.BaseUri}: anyone on the network path can read your client password and tokens. Use -SkipCertificateCheck only with a test host.");
            }

            if (Credential != null)
            {
                // Proved at once: the connection holds the credential only if its token request succeeds;
                // a failure ends the command, so a connection that cannot authenticate is not made the default.
                Invoke((log, cancel) => connection.GetTokenAsync(Credential.UserName, Credential.Password, null, false, log, cancel));
            }

            KeepOrWarn(connection);
            ConnectionStore.Add(connection, named: Name != null);
            WriteObject(connection);
        }

        /// <summary>
        /// Connecting again to what this runspace already has under that name never loses a working
        /// credential silently: with the same base URI and no -Credential, the new connection keeps the
        /// old one's credential and token; otherwise a warning names the credential that is dropped.
        /// </summary>
        private void KeepOrWarn(CaxtonConnection connection)
        {
            var previous = ConnectionStore.Replaced(connection.Name, named: Name != null);
            if (previous is null || !previous.TryCopyHeldCredential(out var heldUsername, out var heldPassword))
            {
                return;
            }

            heldPassword.Dispose();

            if (Credential is null && previous.BaseUri == connection.BaseUri)
            {
                connection.KeepFrom(previous);
                WriteVerbose($"Connection '{connection.Name}' keeps the credential of '{heldUsername}' it already held.");
            }
            else if (!string.Equals(connection.Username, heldUsername, StringComparison.Ordinal) || previous.BaseUri != connection.BaseUri)
            {
                WriteWarning($"Connection '{previous.Name}' to {previous.BaseUri} held the credential of '{heldUsername}'; the new connection to {connection.BaseUri} does not keep it. Save credentials with (New-CaxtonPassword ...).Credential or (Get-CaxtonConnection).Credential before connecting again.");
            }
        }
    }
}
