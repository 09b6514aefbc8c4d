using System;
using System.Management.Automation;

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

        protected override object? ErrorTarget => ShownPath;

        protected override void ProcessCaxtonRecord() => InvokeApi();

        /// <summary>The path as an error's target shows it: an absolute one without its user:password@.</summary>
        private string? ShownPath => Uri.TryCreate(Path, UriKind.Absolute, out var absolute) ? CaxtonEnvironment.WithoutUserInfo(absolute) : Path;

        private void InvokeApi()
        {
            var connection = ResolveConnection();

            // Text and bytes go as they are; the engine writes anything else as JSON, not ConvertTo-Json,
            // whose dates and escapes differ between 5.1 and 7 (and which a user function could replace).
            var value = Body is PSObject wrapped ? wrapped.BaseObject : Body;
            var body = value is string || value is byte[] ? value : PowerShellBody.ToNeutral(Body, CancellationToken);

            // Reads change nothing: only calls that may change state ask ShouldProcess, after the path and
            // headers are checked, so a prompt or What-if shows only what would be sent (the engine checks
            // a GET's itself, at no extra cost).
            if (Method != "GET" && !ShouldProcess(connection.CheckApiCall(Path, ContentType, IdentityNumber).AbsoluteUri, Method))
            {
                return;
            }

            var json = Invoke((log, cancel) => connection.InvokeApiAsync(Method, Path, body, ContentType, IdentityNumber, Raw, log, cancel));
            if (json.HasValue)
            {
                WriteObject(JsonToPowerShell.Convert(json.Value), enumerateCollection: true);
            }
        }
    }
}
