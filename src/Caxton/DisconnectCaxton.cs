using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Disconnect-Caxton: forgets a connection's token and credentials and drops it from this runspace.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Caxton")]
    [OutputType(typeof(void))]
    public sealed class DisconnectCaxtonCommand : CaxtonCmdlet
    {
        /// <summary>The connection to forget, as an object or the name given to Connect-Caxton -Name; the runspace default when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public CaxtonConnection? Connection { get; set; }

        protected override object? ErrorTarget => Connection;

        protected override void ProcessCaxtonRecord() => Disconnect();

        private void Disconnect()
        {
            var missing = Connection is null ? null : ConnectionTransformationAttribute.UnresolvedName(Connection);
            if (missing != null)
            {
                WriteCaxtonError(CaxtonException.ConnectionNotFound(missing), missing);
                return;
            }

            // With no default there is nothing to forget: not an error.
            if ((Connection ?? ConnectionStore.PeekDefault()) is CaxtonConnection connection)
            {
                ConnectionStore.Remove(connection);
            }
        }
    }
}
