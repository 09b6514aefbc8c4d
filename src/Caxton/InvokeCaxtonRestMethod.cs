using System;
using System.Management.Automation;
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

        /// <summary>A string or byte array is sent as it is; anything else as JSON, the same bytes on 5.1 and 7.</summary>
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
                    // Written by the engine, not ConvertTo-Json, whose dates and escapes differ between 5.1 and 7.
                    return RequestBody.Serialize(PowerShellBody.ToNeutral(Body));
            }
        }
    }
}
