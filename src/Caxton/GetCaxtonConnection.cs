using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Get-CaxtonConnection: the runspace's default connection, or its named ones.</summary>
    [Cmdlet(VerbsCommon.Get, "CaxtonConnection", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(CaxtonConnection))]
    public sealed class GetCaxtonConnectionCommand : CaxtonCmdlet
    {
        private const string DefaultSet = "Default";
        private const string NameSet = "Name";
        private const string ListSet = "ListAvailable";

        /// <summary>Names given to Connect-Caxton -Name; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public string[] Name { get; set; } = new string[0];

        /// <summary>Every named connection of this runspace, and the default.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter ListAvailable { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(null, GetConnections);

        private void GetConnections()
        {
            switch (ParameterSetName)
            {
                case ListSet:
                    WriteObject(ConnectionStore.List("*"), enumerateCollection: true);
                    break;
                case NameSet:
                    foreach (var name in Name)
                    {
                        var found = ConnectionStore.List(name);
                        if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                        {
                            WriteCaxtonError(CaxtonException.ConnectionNotFound(name), name);
                        }

                        WriteObject(found, enumerateCollection: true);
                    }

                    break;
                default:
                    // A bad CAXTON_* variable leaves no default to show: that ends the command.
                    WriteObject(Terminating(ConnectionStore.GetDefault));
                    break;
            }
        }
    }
}
