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

        protected override void ProcessRecord()
        {
            CaxtonConnection connection;
            try
            {
                var baseUri = ParameterSetName == BaseUriSet ? BaseUri! : CaxtonEnvironment.GetBaseUri(Environment);
                connection = new CaxtonConnection(baseUri, Name, ResetPath, TimeSpan.FromSeconds(TimeoutSec));
            }
            catch (CaxtonException exception)
            {
                ThrowCaxtonError(exception, BaseUri);
                return;
            }

            if (Credential != null)
            {
                connection.SetCredential(Credential.UserName, Credential.Password);
                try
                {
                    Invoke((log, cancel) => connection.GetTokenAsync(false, log, cancel));
                }
                catch (CaxtonException exception)
                {
                    // A connection that cannot authenticate is not made the default.
                    ThrowCaxtonError(exception, connection);
                    return;
                }
            }

            ConnectionStore.Add(connection, named: Name != null);
            WriteObject(connection);
        }
    }
}
