using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>A cmdlet that names the account Caxton gave out: its Username and Clientname.</summary>
    public abstract class CaxtonAccountCmdlet : CaxtonConnectedCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.UsernameCompleter))]
        public string Username { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ClientnameCompleter))]
        public string Clientname { get; set; } = string.Empty;
    }
}
