using System;
using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Lets -Connection take a connection object or the name given to Connect-Caxton -Name.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string name)
            {
                return ConnectionStore.Find(name) ?? throw new ArgumentTransformationMetadataException(
                    $"There is no Caxton connection named '{name}' in this runspace. Create it with Connect-Caxton -Name '{name}', or list them with Get-CaxtonConnection -ListAvailable.");
            }

            return inputData;
        }
    }
}
