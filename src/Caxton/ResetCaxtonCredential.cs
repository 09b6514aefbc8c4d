using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Reset-CaxtonCredential: Reset Client Credentials for the main account or, with -IdentityNumber,
    /// a sub-account. It voids the client password, so it confirms first unless -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "CaxtonCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(CaxtonCredentialReset))]
    public sealed class ResetCaxtonCredentialCommand : CaxtonAccountCmdlet
    {
        /// <summary>The sub-account to reset; the main account when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? IdentityNumber { get; set; }

        /// <summary>Reset without asking for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the outcome of the reset.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var account = IdentityNumber is null ? $"main account '{Username}'" : $"sub-account '{IdentityNumber}' of '{Username}'";
            if (!ShouldProcessUnlessForced(Force, $"Caxton {account} at {connection.BaseUri}", "Reset the client credentials (the current client password stops working)"))
            {
                return;
            }

            CaxtonCredentialReset reset;
            try
            {
                reset = Invoke((log, cancel) => connection.ResetCredentialAsync(Username, Clientname, IdentityNumber, log, cancel));
                Completers.ClientnameCompleter.Remember(Username, Clientname);
            }
            catch (CaxtonException exception)
            {
                WriteCaxtonError(exception, IdentityNumber ?? Username);
                return;
            }

            WriteVerbose($"Credentials reset for the {account}. Next: New-CaxtonPassword, then Get-CaxtonToken.");
            if (PassThru)
            {
                WriteObject(reset);
            }
        }
    }
}
