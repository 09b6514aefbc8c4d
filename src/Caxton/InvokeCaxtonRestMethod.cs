using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Text;

namespace Caxton.Commands
{
    /// <summary>
    /// Invoke-CaxtonRestMethod: any Caxton API path with the connection's token (refreshed as needed,
    /// retried once after a 401). Outputs Content.Model unless -Raw; a failing ApiStatus is an error.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "CaxtonRestMethod", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeCaxtonRestMethodCommand : CaxtonConnectedCmdlet
    {
        /// <summary>Path under the base URI, e.g. reference/lookup/banks/GBP (a query string may follow).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE")]
        public string Method { get; set; } = "GET";

        /// <summary>A string is sent as it is; anything else is converted with ConvertTo-Json.</summary>
        [Parameter]
        public object? Body { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ContentType { get; set; } = "application/json";

        /// <summary>Act for this sub-account: sent as the IdentityNumber header.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IdentityNumber { get; set; }

        /// <summary>Output the whole response envelope instead of Content.Model.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        protected override void ProcessRecord() => RunWithOneFailurePath(Path, InvokeApi);

        private void InvokeApi()
        {
            var connection = ResolveConnection();
            var method = new HttpMethod(Method);

            // Reads change nothing: only calls that may change state ask ShouldProcess.
            if (method != HttpMethod.Get && !ShouldProcess($"{connection.BaseUri}{Path.TrimStart('/')}", Method))
            {
                return;
            }

            var body = SerializeBody();
            var response = Invoke((log, cancel) => connection.InvokeApiAsync(method, Path, body, ContentType, IdentityNumber, log, cancel));
            var json = ResponseReader.ReadApiResponse(response, Raw);
            if (json.HasValue)
            {
                WriteObject(JsonToPowerShell.Convert(json.Value), enumerateCollection: true);
            }
        }

        private byte[]? SerializeBody()
        {
            var value = Body is PSObject wrapped ? wrapped.BaseObject : Body;
            switch (value)
            {
                case null:
                    return null;
                case string text:
                    return Encoding.UTF8.GetBytes(text);
                case byte[] bytes:
                    return bytes;
                default:
                    // PowerShell's own converter, so hashtables and objects turn out as users expect.
                    Collection<PSObject> json = InvokeCommand.InvokeScript(
                        "param($value) ConvertTo-Json -InputObject $value -Depth 20 -Compress", true, PipelineResultTypes.None, null, Body);
                    return Encoding.UTF8.GetBytes(json.Count > 0 ? json[0].ToString() : "null");
            }
        }
    }
}
