using System;
using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// New-CaxtonSubAccount: Create Subsidiary Account, made by the main account the connection holds.
    /// The new sub-account's Username and Clientname pipe into New-CaxtonPassword.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "CaxtonSubAccount", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CaxtonSubAccount))]
    public sealed class NewCaxtonSubAccountCommand : CaxtonConnectedCmdlet
    {
        // No control characters: they would forge lines in a What-if or a confirmation prompt.
        private const string AuditAction = "CreateSubAccount";

        private const string PrintableText = @"^\P{Cc}+\z";

        /// <summary>The company's name: Caxton keeps it as the sub-account's Clientname.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ValidatePattern(PrintableText)]
        public string CompanyName { get; set; } = string.Empty;

        /// <summary>The sub-account's e-mail address.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ValidatePattern(PrintableText)]
        public string Email { get; set; } = string.Empty;

        protected override object? ErrorTarget => CompanyName;

        protected override void ProcessCaxtonRecord()
        {
            var connection = ResolveConnection();
            var by = connection.Username is null ? string.Empty : $" by '{connection.Username}'";
            if (!ShouldProcess($"Caxton sub-account '{CompanyName}' ({Email}) at {connection.BaseUri}{by}", "Create a sub-account"))
            {
                return;
            }

            CaxtonSubAccount subAccount;
            try
            {
                subAccount = Invoke((log, cancel) => connection.NewSubAccountAsync(CompanyName, Email, log, cancel));
            }
            catch (Exception exception)
            {
                var caxton = exception as CaxtonException;
                var outcome = caxton != null ? $"Failed ({caxton.ErrorId})" : exception is PipelineStoppedException ? "Stopped" : $"Failed ({CaxtonErrorIds.UnexpectedError})";
                WriteAuditSafely(AuditAction, connection, connection.Username ?? string.Empty, CompanyName, null, outcome, caxton?.RequestId, caxton?.ResponseDate);
                throw;
            }

            // Written first: the account exists now, and nothing after this (the audit line either) may lose its Username.
            WriteObject(subAccount);
            WriteAuditSafely(AuditAction, connection, subAccount.Username, subAccount.Clientname, null, "Succeeded", subAccount.RequestId, subAccount.ResponseDate);
            Completers.ClientnameCompleter.Remember(subAccount.Username, subAccount.Clientname);
        }
    }
}
