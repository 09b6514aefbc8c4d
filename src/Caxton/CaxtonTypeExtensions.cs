using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Properties that need PowerShell types or the runspace, which the engine has neither of. Added to
    /// the engine's objects by Caxton.types.ps1xml as ScriptProperties, so they are live on every object.
    /// </summary>
    public static class CaxtonTypeExtensions
    {
        /// <summary>
        /// A client password as a PSCredential (Username, ClientPassword), ready for Set-Secret or an
        /// Automation credential asset. Each read is a new copy, so disposing it harms nothing else.
        /// </summary>
        public static PSCredential? GetPasswordCredential(object instance) =>
            Unwrap(instance) is CaxtonClientPassword password
                ? new PSCredential(password.Username, Secrets.ReadOnlyCopy(password.ClientPassword))
                : null;

        /// <summary>The credential a connection holds, as a PSCredential copy; null when it holds none.</summary>
        public static PSCredential? GetConnectionCredential(object instance) =>
            Unwrap(instance) is CaxtonConnection connection && connection.TryCopyHeldCredential(out var username, out var clientPassword)
                ? new PSCredential(username, clientPassword)
                : null;

        private static object? Unwrap(object? instance) => instance is PSObject wrapped ? wrapped.BaseObject : instance;

        /// <summary>Whether the connection is the default of the runspace that reads this property.</summary>
        public static bool GetIsDefault(object instance) =>
            Unwrap(instance) is CaxtonConnection connection && ConnectionStore.IsDefault(connection);
    }
}
