using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Select-CaxtonConnection: makes an existing connection this runspace's default, without touching
    /// it (its credential and token stay as they are), unlike Connect-Caxton, which makes a new one.
    /// </summary>
    [Cmdlet(VerbsCommon.Select, "CaxtonConnection", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(CaxtonConnection))]
    public sealed class SelectCaxtonConnectionCommand : CaxtonCmdlet
    {
        private const string NameSet = "Name";
        private const string ConnectionSet = "Connection";

        /// <summary>The name given to Connect-Caxton -Name.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>A connection object, e.g. from Get-CaxtonConnection -ListAvailable or another runspace.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ConnectionSet)]
        [ValidateNotNull]
        public CaxtonConnection? Connection { get; set; }

        /// <summary>Output the connection that is now the default.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(Name, Select);

        private void Select()
        {
            var connection = Connection ?? ConnectionStore.Find(Name);
            if (connection is null)
            {
                WriteCaxtonError(ConnectionStore.NotFound(Name), Name);
                return;
            }

            ConnectionStore.Select(connection);
            if (PassThru)
            {
                WriteObject(connection);
            }
        }
    }
}
