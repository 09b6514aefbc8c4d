using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Text;

namespace Caxton.Commands.Completers
{
    /// <summary>
    /// Completes a parameter from what the runspace asking knows: matches by prefix, any case, each
    /// value once. The completion text is always one single-quoted string escaped as PowerShell escapes
    /// them, so no value (quotes of any shape, $, ;) can become code; typed quotes are read the same way.
    /// </summary>
    public abstract class ConnectionValueCompleter : IArgumentCompleter
    {
        /// <summary>Shown next to each value; {0} is the value.</summary>
        protected abstract string ToolTip { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            // Connections live per runspace: a caller without one (another thread) has none to offer.
            if (Runspace.DefaultRunspace is null)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var typed = Unquote(wordToComplete ?? string.Empty);
            return Candidates(fakeBoundParameters ?? new Hashtable())
                .Where(value => !string.IsNullOrEmpty(value) && value!.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(value => value!)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(value => value, StringComparer.OrdinalIgnoreCase)
                .Select(value => new CompletionResult(Quote(value), value, CompletionResultType.ParameterValue, string.Format(ToolTip, value)))
                .ToList();
        }

        /// <summary>The values to offer, from this runspace; the parameters bound so far may narrow them.</summary>
        protected abstract IEnumerable<string?> Candidates(IDictionary boundParameters);

        internal static string Quote(string value) => "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + "'";

        /// <summary>
        /// The value a partly typed word stands for: a leading quote of any shape is dropped, doubled
        /// quotes (and, in double quotes, backtick escapes) read as one character, and a closing quote ends it.
        /// </summary>
        internal static string Unquote(string word)
        {
            if (word.Length == 0 || !(IsSingleQuote(word[0]) || IsDoubleQuote(word[0])))
            {
                return word;
            }

            Func<char, bool> isQuote = IsSingleQuote(word[0]) ? IsSingleQuote : IsDoubleQuote;
            var escapes = IsDoubleQuote(word[0]);
            var value = new StringBuilder(word.Length);
            for (var i = 1; i < word.Length; i++)
            {
                var c = word[i];
                if (escapes && c == '`' && i + 1 < word.Length)
                {
                    value.Append(word[++i]);
                }
                else if (isQuote(c))
                {
                    if (i + 1 < word.Length && isQuote(word[i + 1]))
                    {
                        value.Append(word[++i]);
                    }
                    else
                    {
                        break; // the closing quote
                    }
                }
                else
                {
                    value.Append(c);
                }
            }

            return value.ToString();
        }

        // The quote characters PowerShell's tokenizer treats as ' and ".
        private static bool IsSingleQuote(char c) => c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';

        private static bool IsDoubleQuote(char c) => c == '"' || c == '\u201C' || c == '\u201D' || c == '\u201E';
    }
}
