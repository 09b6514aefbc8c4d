using System;
using System.Linq;
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

        /// <summary>
        /// With -ListAvailable: only connections whose client password expires within this time (or has
        /// expired), so a scheduled runbook finds what needs rotating.
        /// </summary>
        [Parameter(ParameterSetName = ListSet)]
        [TimeSpanTransformation]
        public TimeSpan? ExpiringWithin { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(null, GetConnections);

        private System.Collections.Generic.List<CaxtonConnection> Expiring(TimeSpan within)
        {
            var connections = ConnectionStore.List("*");

            // A credential connected without its EndDate has no known expiry: say so, rather than let a
            // runbook believe nothing needs rotating.
            foreach (var unknown in connections.Where(c => c.Username != null && c.ClientPasswordExpiresOn is null))
            {
                WriteWarning($"The connection '{unknown.Name}' holds '{unknown.Username}' with no known password expiry, so -ExpiringWithin cannot judge it. Give the EndDate once: Get-CaxtonToken -Username -ClientPassword -ClientPasswordExpiresOn.");
            }

            // Clamped, so TimeSpan.MaxValue means "any known expiry" instead of an overflow.
            var now = DateTimeOffset.UtcNow;
            var limit = within >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : within <= DateTimeOffset.MinValue - now ? DateTimeOffset.MinValue : now + within;
            return connections.Where(c => c.ClientPasswordExpiresOn is DateTimeOffset end && end <= limit).ToList();
        }

        private void GetConnections()
        {
            switch (ParameterSetName)
            {
                case ListSet:
                    WriteObject(ExpiringWithin is TimeSpan within ? Expiring(within) : ConnectionStore.List("*"), enumerateCollection: true);
                    break;
                case NameSet:
                    foreach (var name in Name)
                    {
                        var found = ConnectionStore.List(name);
                        if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                        {
                            WriteCaxtonError(ConnectionStore.NotFound(name), name);
                        }

                        WriteObject(found, enumerateCollection: true);
                    }

                    break;
                default:
                    // No connection (NotConnected) or a bad CAXTON_* variable leaves no default to show: that ends the command.
                    WriteObject(Terminating(ConnectionStore.GetDefault));
                    break;
            }
        }
    }
}
