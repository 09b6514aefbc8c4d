using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace Caxton.Commands.Completers
{
    /// <summary>
    /// Completes a parameter from what the connections of the runspace asking hold: matches by prefix,
    /// any case, each value once, quoted when the shell needs it.
    /// </summary>
    public abstract class ConnectionValueCompleter : IArgumentCompleter
    {
        private static readonly char[] NeedsQuotes = " \t'\"`$;,(){}[]|&@#<>".ToCharArray();

        /// <summary>Shown next to each value; {0} is the value.</summary>
        protected abstract string ToolTip { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            // Connections live per runspace: a caller without one (another thread) has none to offer.
            if (Runspace.DefaultRunspace is null)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var typed = (wordToComplete ?? string.Empty).TrimStart('\'', '"');
            return Candidates()
                .Where(value => !string.IsNullOrEmpty(value) && value!.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(value => value!)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(value => value, StringComparer.OrdinalIgnoreCase)
                .Select(value => new CompletionResult(Quote(value), value, CompletionResultType.ParameterValue, string.Format(ToolTip, value)))
                .ToList();
        }

        /// <summary>The values to offer, read from this runspace's connections.</summary>
        protected abstract IEnumerable<string?> Candidates();

        private static string Quote(string value) =>
            value.IndexOfAny(NeedsQuotes) < 0 ? value : "'" + value.Replace("'", "''") + "'";
    }

    /// <summary>Completes the names given to Connect-Caxton -Name in this runspace.</summary>
    public sealed class ConnectionNameCompleter : ConnectionValueCompleter
    {
        protected override string ToolTip => "Caxton connection '{0}'";

        protected override IEnumerable<string?> Candidates() => ConnectionStore.Names();
    }

    /// <summary>Completes the usernames held by this runspace's connections, named or default.</summary>
    public sealed class UsernameCompleter : ConnectionValueCompleter
    {
        protected override string ToolTip => "Caxton username '{0}', held by a connection";

        protected override IEnumerable<string?> Candidates() => ConnectionStore.List("*").Select(connection => connection.Username);
    }
}
