using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace Caxton.Commands
{
    /// <summary>
    /// Lets -Connection take a connection object or the name given to Connect-Caxton -Name. An unknown
    /// name cannot fail here: PowerShell would report any failure as ParameterArgumentTransformationError.
    /// It becomes a stand-in connection that the cmdlet turns into ConnectionNotFound before using it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
    {
        private static readonly ConditionalWeakTable<CaxtonConnection, string> Unresolved = new ConditionalWeakTable<CaxtonConnection, string>();

        /// <summary>Never contacted: the stand-in is refused before any request.</summary>
        private static readonly Uri Nowhere = new Uri("http://127.0.0.1/unresolved-connection/");

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string name)
            {
                if (ConnectionStore.Find(name) is CaxtonConnection found)
                {
                    return found;
                }

                var standIn = new CaxtonConnection(Nowhere, name);
                Unresolved.Add(standIn, name);
                return standIn;
            }

            return inputData;
        }

        /// <summary>The name that matched no connection, when this is a stand-in for one.</summary>
        internal static string? UnresolvedName(CaxtonConnection connection) =>
            Unresolved.TryGetValue(connection, out var name) ? name : null;
    }
}
