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
    [OutputType(typeof(string), ParameterSetName = new[] { ConnectionSet + PlainText, PasswordSet + PlainText, CredentialSet + PlainText })]
    [OutputType(typeof(Hashtable), ParameterSetName = new[] { ConnectionSet + Header, PasswordSet + Header, CredentialSet + Header })]
    public sealed class GetCaxtonTokenCommand : CaxtonConnectedCmdlet
    {
        // Where the credential comes from (connection, password, credential) times what is output
        // (token object, plain text, header), so the syntax itself shows -AsPlainText and -AsHeader exclude each other.
        private const string ConnectionSet = "Connection";
        private const string PasswordSet = "ClientPassword";
        private const string CredentialSet = "Credential";
        private const string PlainText = "AsPlainText";
        private const string Header = "AsHeader";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet + PlainText, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet + Header, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.UsernameCompleter))]
        public string? Username { get; set; }

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PasswordSet + PlainText, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PasswordSet + Header, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public SecureString? ClientPassword { get; set; }

        /// <summary>When the client password expires (EndDate from New-CaxtonPassword), for expiry warnings.</summary>
        [Parameter(ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PasswordSet + PlainText, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PasswordSet + Header, ValueFromPipelineByPropertyName = true)]
        [Alias("EndDate")]
        public DateTimeOffset? ClientPasswordExpiresOn { get; set; }

        /// <summary>User name = Username, password = ClientPassword.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet + PlainText)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet + Header)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Get a new token even if the cached one is fresh.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the token as a plain string.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ConnectionSet + PlainText)]
        [Parameter(Mandatory = true, ParameterSetName = PasswordSet + PlainText)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet + PlainText)]
        public SwitchParameter AsPlainText { get; set; }

        /// <summary>Output @{ Authorization = 'Bearer ...' } for Invoke-RestMethod -Headers.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ConnectionSet + Header)]
        [Parameter(Mandatory = true, ParameterSetName = PasswordSet + Header)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet + Header)]
        public SwitchParameter AsHeader { get; set; }

        protected override object? ErrorTarget => Username ?? Credential?.UserName;

        protected override void ProcessCaxtonRecord() => GetToken();

        private void GetToken()
        {
            var connection = ResolveConnection();

            // An explicit credential is only asked about: the connection holds it once its token request succeeds.
            var token = Credential != null
                ? Invoke((log, cancel) => connection.GetTokenAsync(Credential.UserName, Credential.Password, null, Force, log, cancel))
                : Username != null && ClientPassword != null
                    ? Invoke((log, cancel) => connection.GetTokenAsync(Username, ClientPassword, ClientPasswordExpiresOn, Force, log, cancel))
                    : Invoke((log, cancel) => connection.GetTokenAsync(Force, log, cancel));

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
                // The caller's own copy: disposing it must not break the cached token.
                WriteObject(token.CopyForCaller());
            }
        }
    }
}
