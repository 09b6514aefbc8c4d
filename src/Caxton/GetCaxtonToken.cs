using System;
using System.Collections;
using System.Management.Automation;
using System.Security;

namespace Caxton.Commands
{
    /// <summary>
    /// Get-CaxtonToken: Get Access Token (step 2), answered from the connection's cache while the token
    /// is fresh. Plain text only on request: -AsPlainText, or -AsHeader for Windows PowerShell 5.1,
    /// whose Invoke-RestMethod has no -Token.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CaxtonToken", DefaultParameterSetName = ConnectionSet)]
    [OutputType(typeof(CaxtonToken), ParameterSetName = new[] { ConnectionSet, PasswordSet, CredentialSet })]
    [OutputType(typeof(string), typeof(Hashtable))]
    public sealed class GetCaxtonTokenCommand : CaxtonConnectedCmdlet
    {
        private const string ConnectionSet = "Connection";
        private const string PasswordSet = "ClientPassword";
        private const string CredentialSet = "Credential";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.UsernameCompleter))]
        public string? Username { get; set; }

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public SecureString? ClientPassword { get; set; }

        /// <summary>When the client password expires (EndDate from New-CaxtonPassword), for expiry warnings.</summary>
        [Parameter(ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [Alias("EndDate")]
        public DateTimeOffset? ClientPasswordExpiresOn { get; set; }

        /// <summary>User name = Username, password = ClientPassword.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Get a new token even if the cached one is fresh.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the token as a plain string.</summary>
        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        /// <summary>Output @{ Authorization = 'Bearer ...' } for Invoke-RestMethod -Headers.</summary>
        [Parameter]
        public SwitchParameter AsHeader { get; set; }

        protected override void BeginProcessing()
        {
            if (AsPlainText && AsHeader)
            {
                ThrowCaxtonError(
                    new CaxtonException(CaxtonErrorIds.InvalidArgument, CaxtonErrorKind.InvalidArgument, "Use -AsPlainText or -AsHeader, not both."),
                    null);
            }
        }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            if (ParameterSetName == PasswordSet)
            {
                connection.SetCredential(Username!, ClientPassword!, ClientPasswordExpiresOn);
            }
            else if (ParameterSetName == CredentialSet)
            {
                connection.SetCredential(Credential!.UserName, Credential.Password);
            }

            CaxtonToken token;
            try
            {
                token = Invoke((log, cancel) => connection.GetTokenAsync(Force, log, cancel));
            }
            catch (CaxtonException exception)
            {
                WriteCaxtonError(exception, connection.Username);
                return;
            }

            if (AsPlainText)
            {
                WriteObject(Secrets.ToPlainText(token.AccessToken));
            }
            else if (AsHeader)
            {
                WriteObject(new Hashtable { ["Authorization"] = Secrets.AuthorizationHeader(token.AccessToken) });
            }
            else
            {
                WriteObject(token);
            }
        }
    }
}
