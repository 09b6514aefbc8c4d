using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>Get-CaxtonConnection: the connection the cmdlets use by default in this runspace.</summary>
    [Cmdlet(VerbsCommon.Get, "CaxtonConnection")]
    [OutputType(typeof(CaxtonConnection))]
    public sealed class GetCaxtonConnectionCommand : CaxtonConnectedCmdlet
    {
        protected override void ProcessRecord() => WriteObject(ResolveConnection());
    }
}
