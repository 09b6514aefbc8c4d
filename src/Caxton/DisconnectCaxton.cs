using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Disconnect-Caxton: forgets a connection's token and credentials and drops it from this runspace.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Caxton", DefaultParameterSetName = ConnectionSet)]
    [OutputType(typeof(void))]
    public sealed class DisconnectCaxtonCommand : CaxtonCmdlet
    {
        private const string ConnectionSet = "Connection";
        private const string NameSet = "Name";

        /// <summary>The connection to forget; the runspace default when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = ConnectionSet)]
        [ValidateNotNull]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public CaxtonConnection? Connection { get; set; }

        /// <summary>The name given to Connect-Caxton -Name.</summary>
        [Parameter(Mandatory = true, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public string? Name { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(Name ?? (object?)Connection, Disconnect);

        private void Disconnect()
        {
            var missing = Name ?? (Connection is null ? null : ConnectionTransformationAttribute.UnresolvedName(Connection));
            var connection = Name != null ? ConnectionStore.Find(Name) : missing != null ? null : Connection ?? ConnectionStore.PeekDefault();
            if (connection is null)
            {
                if (missing != null)
                {
                    WriteCaxtonError(CaxtonException.ConnectionNotFound(missing), missing);
                }

                // With no default there is nothing to forget: not an error.
                return;
            }

            ConnectionStore.Remove(connection);
        }
    }
}
