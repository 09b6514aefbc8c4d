using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Caxton.Commands.Completers
{
    /// <summary>
    /// Completes the clientnames that New-CaxtonPassword and Reset-CaxtonCredential used successfully (or New-CaxtonSubAccount created) in
    /// this runspace (the connections hold no clientname), those of the -Username given first when there is one.
    /// </summary>
    public sealed class ClientnameCompleter : ConnectionValueCompleter
    {
        private static readonly ConditionalWeakTable<Runspace, List<KeyValuePair<string, string>>> Used =
            new ConditionalWeakTable<Runspace, List<KeyValuePair<string, string>>>();

        protected override string ToolTip => "Caxton clientname '{0}', used in this session";

        /// <summary>Records a username and clientname Caxton accepted, for this runspace's completion.</summary>
        internal static void Remember(string username, string clientname)
        {
            if (Runspace.DefaultRunspace is null)
            {
                return; // no runspace to complete in
            }

            var used = Used.GetValue(Runspace.DefaultRunspace, _ => new List<KeyValuePair<string, string>>());
            lock (used)
            {
                // Once each, so a runbook that resets in a loop does not grow the list.
                if (!used.Any(pair => string.Equals(pair.Key, username, StringComparison.OrdinalIgnoreCase) && string.Equals(pair.Value, clientname, StringComparison.OrdinalIgnoreCase)))
                {
                    used.Add(new KeyValuePair<string, string>(username, clientname));
                }
            }
        }

        /// <summary>The usernames Caxton accepted or issued in this runspace (a new sub-account's, for one).</summary>
        internal static IEnumerable<string> UsedUsernames()
        {
            if (Runspace.DefaultRunspace is null || !Used.TryGetValue(Runspace.DefaultRunspace, out var used))
            {
                return Enumerable.Empty<string>();
            }

            lock (used)
            {
                return used.Select(pair => pair.Key).ToList();
            }
        }

        protected override IEnumerable<string?> Candidates(IDictionary boundParameters)
        {
            if (!Used.TryGetValue(Runspace.DefaultRunspace, out var used))
            {
                return Enumerable.Empty<string>();
            }

            var username = boundParameters.Contains("Username") ? boundParameters["Username"] as string : null;
            lock (used)
            {
                return used
                    .Where(pair => string.IsNullOrEmpty(username) || string.Equals(pair.Key, username, StringComparison.OrdinalIgnoreCase))
                    .Select(pair => pair.Value)
                    .ToList();
            }
        }
    }
}
