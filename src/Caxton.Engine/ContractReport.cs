using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Caxton
{
    /// <summary>
    /// Test-CaxtonContract -AsMarkdown: a report a person can send to the module's authors. It holds the
    /// results (their evidence already redacted), the versions and the environment; no Username, no secret.
    /// </summary>
    public static class ContractReport
    {
        public static string ToMarkdown(IReadOnlyList<ContractCheck> checks, CaxtonConnection connection, ContractProbeOptions options, string moduleVersion, string powerShellVersion, string platform, DateTimeOffset when)
        {
            var text = new StringBuilder();
            text.Append("# Caxton contract report\n\n");
            text.Append("| | |\n| --- | --- |\n");
            Row(text, "Module", "Caxton " + moduleVersion);
            Row(text, "PowerShell", powerShellVersion);
            Row(text, "Platform", platform);
            Row(text, "Environment", $"{connection.Environment} ({connection.BaseUri.GetLeftPart(UriPartial.Path)})");
            Row(text, "Reset path", connection.ResetPath);
            Row(text, "Checks", Switches(options));
            Row(text, "Run at", when.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            text.Append('\n');

            var counts = string.Join(", ", new[] { ContractCheckStatus.Confirmed, ContractCheckStatus.Contradicted, ContractCheckStatus.Unknown }
                .Select(status => $"{checks.Count(c => c.Status == status)} {status}"));
            text.Append(counts).Append(". Each decision is described under its id in docs/contract.md.\n\n");
            text.Append("| Decision | Status | Evidence | Expected |\n| --- | --- | --- | --- |\n");
            foreach (var check in checks)
            {
                text.Append("| `").Append(Cell(check.Decision)).Append("` | ").Append(check.Status)
                    .Append(" | ").Append(Cell(check.Evidence))
                    .Append(" | ").Append(check.Documented ? "(documented) " : "(decision) ").Append(Cell(check.Expected)).Append(" |\n");
            }

            return text.ToString();
        }

        private static string Switches(ContractProbeOptions options)
        {
            var run = new List<string> { "default" };
            if (options.GenerateWhileActive)
            {
                run.Add("-GenerateWhileActive");
            }

            if (options.Reset)
            {
                run.Add("-Reset");
            }

            if (options.TokenRateLimit)
            {
                run.Add(string.Format(CultureInfo.InvariantCulture, "-TokenRateLimit ({0} requests over {1:0} s)", options.RateLimitRequests, options.RateLimitWindow.TotalSeconds));
            }

            return string.Join(", ", run);
        }

        private static void Row(StringBuilder text, string name, string value) =>
            text.Append("| ").Append(name).Append(" | ").Append(Cell(value)).Append(" |\n");

        /// <summary>One table cell: no line break, no unescaped pipe, no backtick to open code across cells.</summary>
        private static string Cell(string value)
        {
            var cell = new StringBuilder(value.Length);
            foreach (var c in value)
            {
                if (c == '|')
                {
                    cell.Append("\\|");
                }
                else if (c == '`')
                {
                    cell.Append('\'');
                }
                else
                {
                    cell.Append(c < ' ' || c == '\u007f' ? ' ' : c);
                }
            }

            return cell.ToString();
        }
    }
}
