using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Reset-CaxtonCredential: Reset Client Credentials for the main account or, with -IdentityNumber,
    /// a sub-account. It voids the client password, so it confirms first unless -Force. -Regenerate runs
    /// Caxton's whole "Reset Password" procedure: reset, generate the new password, get its token.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "CaxtonCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ResetSet)]
    [OutputType(typeof(CaxtonCredentialReset), ParameterSetName = new[] { ResetSet })]
    [OutputType(typeof(CaxtonClientPassword), ParameterSetName = new[] { RegenerateSet })]
    public sealed class ResetCaxtonCredentialCommand : CaxtonAccountCmdlet
    {
        private const string ResetSet = "Reset";
        private const string RegenerateSet = "Regenerate";

        /// <summary>The sub-account to reset; the main account when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? IdentityNumber { get; set; }

        /// <summary>Reset without asking for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the outcome of the reset.</summary>
        [Parameter(ParameterSetName = ResetSet)]
        public SwitchParameter PassThru { get; set; }

        /// <summary>After the reset, generate the account's new password and get its token; output the new password.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RegenerateSet)]
        public SwitchParameter Regenerate { get; set; }

        /// <summary>With -IdentityNumber -Regenerate: the sub-account's own Username, for which its new password is generated.</summary>
        [Parameter(ParameterSetName = RegenerateSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? SubAccountUsername { get; set; }

        /// <summary>With -IdentityNumber -Regenerate: the sub-account's own Clientname.</summary>
        [Parameter(ParameterSetName = RegenerateSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? SubAccountClientname { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(IdentityNumber ?? Username, Regenerate ? RotateNow : Reset);

        private string Account => IdentityNumber is null ? $"main account '{Username}'" : $"sub-account '{IdentityNumber}' of '{Username}'";

        private void Reset()
        {
            var connection = ResolveConnection();
            CaxtonConnection.CheckIdentityNumber(IdentityNumber); // before a prompt shows it
            if (!ShouldProcessUnlessForced(Force, $"Caxton {Account} at {connection.BaseUri}", "Reset the client credentials (the current client password stops working)"))
            {
                return;
            }

            var reset = Invoke((log, cancel) => connection.ResetCredentialAsync(Username, Clientname, IdentityNumber, log, cancel));
            Completers.ClientnameCompleter.Remember(Username, Clientname);

            WriteVerbose($"Credentials reset for the {Account}. Next: New-CaxtonPassword, then Get-CaxtonToken.");
            if (PassThru)
            {
                WriteObject(reset);
            }
        }

        private void RotateNow()
        {
            if (IdentityNumber is null && (SubAccountUsername != null || SubAccountClientname != null))
            {
                throw new CaxtonException(CaxtonErrorIds.SubAccountNamesWithoutIdentityNumber, CaxtonErrorKind.InvalidArgument, "-SubAccountUsername and -SubAccountClientname go with -IdentityNumber.");
            }

            var connection = ResolveConnection();
            CaxtonConnection.CheckIdentityNumber(IdentityNumber);
            var rotation = new CredentialRotation(connection, Username, Clientname, IdentityNumber, SubAccountUsername, SubAccountClientname, Completers.ConnectionValueCompleter.Quote);
            if (!ShouldProcessUnlessForced(Force, $"Caxton {Account} at {connection.BaseUri}", rotation.Steps))
            {
                return;
            }

            var password = Invoke(rotation.ResetAndGenerateAsync);
            Completers.ClientnameCompleter.Remember(rotation.PasswordUsername, rotation.PasswordClientname);

            // Written before the token is asked for: a failed token request must never lose the new password.
            WriteObject(password);
            var token = Invoke((log, cancel) => rotation.GetTokenAsync(password, log, cancel));
            WriteVerbose($"Rotated: the new client password of '{rotation.PasswordUsername}' is valid until {password.EndDate:u}; its token until {token.ExpiresOn:u}.");
        }
    }
}
