using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Disconnect-Caxton: forgets the connection's token and credentials and stops it being the default.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Caxton")]
    [OutputType(typeof(void))]
    public sealed class DisconnectCaxtonCommand : CaxtonCmdlet
    {
        /// <summary>The connection to forget; the runspace default when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public CaxtonConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            Connection?.Forget();
            if (Connection is null)
            {
                // Only a default that exists needs forgetting; do not create one just to drop it.
                ConnectionStore.ForgetDefault();
            }
            else
            {
                ConnectionStore.ClearDefault(Connection);
            }
        }
    }
}
