using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>New-CaxtonPassword: Generate Password (step 1). The connection keeps the new credential.</summary>
    [Cmdlet(VerbsCommon.New, "CaxtonPassword", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CaxtonClientPassword))]
    public sealed class NewCaxtonPasswordCommand : CaxtonAccountCmdlet
    {
        protected override void ProcessRecord() => RunWithOneFailurePath(Username, NewPassword);

        private void NewPassword()
        {
            var connection = ResolveConnection();
            if (!ShouldProcess($"Caxton client '{Username}' ({Clientname}) at {connection.BaseUri}", "Generate a new client password"))
            {
                return;
            }

            var password = Audited(
                "Generate", connection, Username, Clientname, null,
                () => Invoke((log, cancel) => connection.NewClientPasswordAsync(Username, Clientname, log, cancel)),
                generated => (generated.RequestId, generated.ResponseDate));
            Completers.ClientnameCompleter.Remember(Username, Clientname);
            WriteObject(password);
        }
    }
}
