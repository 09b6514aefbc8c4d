using System;
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
    [OutputType(typeof(CaxtonClientPassword), ParameterSetName = new[] { RegenerateSet, ScheduledSet })]
    public sealed class ResetCaxtonCredentialCommand : CaxtonAccountCmdlet
    {
        private const string ResetSet = "Reset";
        private const string RegenerateSet = "Regenerate";
        private const string ScheduledSet = "Scheduled";

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
        [Parameter(Mandatory = true, ParameterSetName = ScheduledSet)]
        public SwitchParameter Regenerate { get; set; }

        /// <summary>With -IdentityNumber -Regenerate: the sub-account's own Username, for which its new password is generated.</summary>
        [Parameter(ParameterSetName = RegenerateSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = ScheduledSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? SubAccountUsername { get; set; }

        /// <summary>With -IdentityNumber -Regenerate: the sub-account's own Clientname.</summary>
        [Parameter(ParameterSetName = RegenerateSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = ScheduledSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? SubAccountClientname { get; set; }

        /// <summary>Scheduled rotation: rotate only when the password expires within this time, has expired, or is rejected.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ScheduledSet)]
        [TimeSpanTransformation]
        public TimeSpan ExpiringWithin { get; set; }

        /// <summary>The stored credential (Username and ClientPassword) whose password is checked and, when due, rotated.</summary>
        [Parameter(ParameterSetName = ScheduledSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>The stored password's EndDate, kept beside it; else what the connection knows.</summary>
        [Parameter(ParameterSetName = ScheduledSet)]
        [Alias("EndDate")]
        public DateTimeOffset? ClientPasswordExpiresOn { get; set; }

        /// <summary>Rotate although the expiry is unknown (else PasswordExpiryUnknown).</summary>
        [Parameter(ParameterSetName = ScheduledSet)]
        public SwitchParameter RotateIfUnknown { get; set; }

        /// <summary>
        /// The hand-off: runs with the new password object right after it is generated and before its
        /// token is requested, so storing it (Set-Secret, an automation asset) is part of the rotation.
        /// </summary>
        [Parameter(ParameterSetName = RegenerateSet)]
        [Parameter(ParameterSetName = ScheduledSet)]
        [ValidateNotNull]
        public ScriptBlock? OnNewCredential { get; set; }

        protected override object? ErrorTarget => IdentityNumber ?? Username;

        protected override void ProcessCaxtonRecord()
        {
            if (Regenerate)
            {
                RotateNow();
            }
            else
            {
                Reset();
            }
        }

        private string Account => IdentityNumber is null ? $"main account '{Username}'" : $"sub-account '{IdentityNumber}' of '{Username}'";

        private void Reset()
        {
            var connection = ResolveConnection();
            CaxtonConnection.CheckIdentityNumber(IdentityNumber); // before a prompt shows it
            if (!ShouldProcessUnlessForced(Force, $"Caxton {Account} at {connection.BaseUri}", "Reset the client credentials (the current client password stops working)"))
            {
                return;
            }

            var reset = Audited(
                "Reset", connection, Username, Clientname, IdentityNumber,
                () => Invoke((log, cancel) => connection.ResetCredentialAsync(Username, Clientname, IdentityNumber, log, cancel)),
                done => (done.RequestId, done.ResponseDate));
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
            if (ParameterSetName == ScheduledSet)
            {
                // Only a token request: the stored credential is checked, nothing is changed.
                var decision = Invoke((log, cancel) => rotation.DecideAsync(Credential?.UserName, Credential?.Password, ClientPasswordExpiresOn, ExpiringWithin, RotateIfUnknown, log, cancel));
                WriteVerbose(decision.Reason);
                if (!decision.ShouldRotate)
                {
                    return;
                }
            }

            if (!ShouldProcessUnlessForced(Force, $"Caxton {Account} at {connection.BaseUri}", rotation.Steps))
            {
                return;
            }

            CaxtonClientPassword password;
            try
            {
                password = Invoke(rotation.ResetAndGenerateAsync);
            }
            catch (Exception exception)
            {
                // One audit record per rotation: here when it ends before a password exists.
                var caxton = exception as CaxtonException;
                var step = rotation.Reset is null ? "reset" : "generate";
                WriteAuditSafely("Rotate", connection, rotation.PasswordUsername, rotation.PasswordClientname, IdentityNumber, $"Failed at {step} ({caxton?.ErrorId ?? (exception is PipelineStoppedException ? "stopped" : CaxtonErrorIds.UnexpectedError)})", caxton?.RequestId ?? rotation.Reset?.RequestId, caxton?.ResponseDate ?? rotation.Reset?.ResponseDate);
                throw;
            }

            Completers.ClientnameCompleter.Remember(rotation.PasswordUsername, rotation.PasswordClientname);

            // From here the new password exists only in this command: every way out leaves it somewhere
            // documented (the hand-off, the output, an error's TargetObject, or the connection's
            // UnclaimedPassword after Ctrl+C or a stopped pipeline).
            if (OnNewCredential != null && !HandOff(connection, rotation, password))
            {
                return;
            }

            WriteObject(password);
            CaxtonToken token;
            try
            {
                token = Invoke((log, cancel) => rotation.GetTokenAsync(password, log, cancel));
            }
            catch (CaxtonException failed)
            {
                WriteAuditSafely("Rotate", connection, rotation.PasswordUsername, rotation.PasswordClientname, IdentityNumber, $"Password generated; token failed ({failed.ErrorId})", failed.RequestId, failed.ResponseDate);
                WriteError(ToErrorRecord(failed, password.CopyForCaller()));
                return;
            }

            rotation.Finish();
            WriteAudit("Rotate", connection, rotation.PasswordUsername, rotation.PasswordClientname, IdentityNumber, $"Succeeded (new password valid until {password.EndDate:u})", password.RequestId, password.ResponseDate);
            WriteVerbose($"Rotated: the new client password of '{rotation.PasswordUsername}' is valid until {password.EndDate:u}; its token until {token.ExpiresOn:u}.");
        }

        /// <summary>Runs -OnNewCredential; false (after writing RegenerateHandOffFailed, the password its TargetObject) when it failed.</summary>
        private bool HandOff(CaxtonConnection connection, CredentialRotation rotation, CaxtonClientPassword password)
        {
            try
            {
                OnNewCredential!.Invoke(password.CopyForCaller());
                return true;
            }
            catch (Exception exception) when (!(exception is PipelineStoppedException))
            {
                var reason = exception is RuntimeException runtime ? runtime.ErrorRecord.Exception.Message : exception.Message;
                var plain = Secrets.ToPlainText(password.ClientPassword);
                if (plain.Length > 0)
                {
                    reason = reason.Replace(plain, "********");
                }

                var failed = new CaxtonException(
                    CaxtonErrorIds.RegenerateHandOffFailed,
                    CaxtonErrorKind.InvalidOperation,
                    $"The new client password of '{rotation.PasswordUsername}' was generated (valid until {password.EndDate:u}), but -OnNewCredential failed, so the rotation stopped before its token: {reason.TrimEnd('.')}. The password object is this error's TargetObject: store it now; the old password no longer works.");
                WriteAuditSafely("Rotate", connection, rotation.PasswordUsername, rotation.PasswordClientname, IdentityNumber, $"Password generated; hand-off failed ({CaxtonErrorIds.RegenerateHandOffFailed})", password.RequestId, password.ResponseDate);
                WriteError(ToErrorRecord(failed, password.CopyForCaller()));
                return false;
            }
        }
    }
}
