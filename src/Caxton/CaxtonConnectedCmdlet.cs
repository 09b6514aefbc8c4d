using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>A cmdlet that talks to Caxton through a connection: the runspace default or -Connection.</summary>
    public abstract class CaxtonConnectedCmdlet : CaxtonCmdlet
    {
        /// <summary>The connection to use instead of the runspace's default: an object or a name.</summary>
        [Parameter]
        [ValidateNotNull]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completers.ConnectionNameCompleter))]
        public CaxtonConnection? Connection { get; set; }

        /// <summary>-Connection, else the default; no connection (NotConnected) or a bad CAXTON_* variable ends the command.</summary>
        protected CaxtonConnection ResolveConnection()
        {
            if (Connection != null)
            {
                if (ConnectionTransformationAttribute.UnresolvedName(Connection) is string missing)
                {
                    ThrowCaxtonError(ConnectionStore.NotFound(missing), missing);
                }

                return Connection;
            }

            return Terminating(ConnectionStore.GetDefault);
        }
    }
}
