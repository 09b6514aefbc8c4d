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
        public int MaximumRetryCount { get; set; } = 3;

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
        protected override void ProcessRecord() => RunWithOneFailurePath(BaseUri, Connect, terminating: true);

        private void Connect()
        {
            if (ProxyCredential != null && (Proxy is null || ProxyUseDefaultCredentials))
            {
                ThrowCaxtonError(
                    new CaxtonException(CaxtonErrorIds.InvalidArgument, CaxtonErrorKind.InvalidArgument, "-ProxyCredential needs -Proxy, and cannot be combined with -ProxyUseDefaultCredentials."),
                    ProxyCredential.UserName);
            }

            var baseUri = ParameterSetName == BaseUriSet ? BaseUri! : CaxtonEnvironment.GetBaseUri(Environment);
            var transport = new TransportSettings
            {
                MaximumRetryCount = MaximumRetryCount,
                SkipCertificateCheck = SkipCertificateCheck,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
            };
            var connection = new CaxtonConnection(baseUri, Name, ResetPath, TimeSpan.FromSeconds(TimeoutSec), transport);

            if (SkipCertificateCheck)
            {
                WriteWarning($"Certificate checks are off for {connection.BaseUri}: anyone on the network path can read your client password and tokens. Use -SkipCertificateCheck only with a test host.");
            }

            if (Credential != null)
            {
                connection.SetCredential(Credential.UserName, Credential.Password);

                // A connection that cannot authenticate is not made the default: the failure ends the command.
                Invoke((log, cancel) => connection.GetTokenAsync(false, log, cancel));
            }

            ConnectionStore.Add(connection, named: Name != null);
            WriteObject(connection);
        }
    }
}
