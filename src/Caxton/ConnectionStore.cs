using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Caxton.Commands
{
    /// <summary>
    /// The default and the named connections of each runspace. Keyed by the runspace itself, so a
    /// Connect-Caxton in one runspace (a thread job, ForEach-Object -Parallel) never changes another's,
    /// and the entries go away with their runspace. Connection objects themselves can be shared.
    /// </summary>
    internal static class ConnectionStore
    {
        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        /// <summary>
        /// The runspace's default, created from CAXTON_* variables on first use; NotConnected when there
        /// is none, or when the last Connect-Caxton failed (never an older connection in its place).
        /// </summary>
        public static CaxtonConnection GetDefault()
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                if (slot.Default is null && slot.DefaultFailure != null)
                {
                    throw CaxtonException.NotConnected(null, slot.DefaultFailure);
                }

                return slot.Default ??= CaxtonConnection.FromEnvironmentVariables();
            }
        }

        /// <summary>
        /// A Connect-Caxton failed: the slots it targeted (the default, and its -Name) no longer point at
        /// any older connection, which may be another host or identity; calls through them fail with
        /// NotConnected citing <paramref name="failure"/>. Other named connections stay as they are.
        /// </summary>
        public static void ConnectFailed(string? name, string failure)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default = null;
                slot.DefaultFailure = failure;
                if (name != null)
                {
                    if (slot.Named.TryGetValue(name, out var dropped))
                    {
                        slot.Named.Remove(name);
                        dropped.ReleaseClients();
                    }

                    slot.NamedFailures[name] = failure;
                }
            }
        }

        /// <summary>Why a name resolves to nothing when its last Connect-Caxton failed; null otherwise.</summary>
        public static string? FailedConnect(string name)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                return slot.NamedFailures.TryGetValue(name, out var failure) ? failure : null;
            }
        }

        /// <summary>
        /// Why a name given to -Connection or Get-CaxtonConnection -Name finds nothing: its last connect
        /// failed (NotConnected), or there never was one here (ConnectionNotFound, with the advice for a
        /// parallel runspace when another runspace has it).
        /// </summary>
        public static CaxtonException NotFound(string name) =>
            FailedConnect(name) is string failure
                ? CaxtonException.NotConnected(name, failure)
                : CaxtonException.ConnectionNotFound(name, NamedElsewhere(name));

        /// <summary>Whether some other runspace of this process has a connection of this name.</summary>
        public static bool NamedElsewhere(string name)
        {
            lock (NamesEverUsed)
            {
                return NamesEverUsed.TryGetValue(name, out var runspaces) && runspaces.Exists(r => r.TryGetTarget(out var runspace) && !ReferenceEquals(runspace, Runspace.DefaultRunspace));
            }
        }

        /// <summary>Makes a connection the default, and registers it under its name when it has one.</summary>
        public static void Add(CaxtonConnection connection, bool named)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default = connection;
                slot.DefaultFailure = null;
                if (named)
                {
                    slot.NamedFailures.Remove(connection.Name);
                    Remember(connection.Name);
                    // The replaced connection lets go of its HTTP handler; it leases again if still used.
                    if (slot.Named.TryGetValue(connection.Name, out var replaced) && !ReferenceEquals(replaced, connection))
                    {
                        replaced.ReleaseClients();
                    }

                    slot.Named[connection.Name] = connection;
                }
            }
        }

        /// <summary>
        /// The connection that adding one with this name would drop from the runspace: the named one, or
        /// for an unnamed connect the current default when no name keeps it.
        /// </summary>
        public static CaxtonConnection? Replaced(string name, bool named)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                if (named)
                {
                    return slot.Named.TryGetValue(name, out var existing) ? existing : null;
                }

                return slot.Default != null && !slot.Named.ContainsValue(slot.Default) ? slot.Default : null;
            }
        }

        /// <summary>Makes an existing connection the runspace's default without changing it; a named one stays registered.</summary>
        public static void Select(CaxtonConnection connection)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default = connection;
                slot.DefaultFailure = null;
            }
        }

        /// <summary>Whether this is the current runspace's default connection.</summary>
        public static bool IsDefault(CaxtonConnection connection)
        {
            var slot = Runspace.DefaultRunspace is null ? null : CurrentSlot();
            if (slot is null)
            {
                return false;
            }

            lock (slot)
            {
                return ReferenceEquals(slot.Default, connection);
            }
        }

        public static CaxtonConnection? Find(string name)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                return slot.Named.TryGetValue(name, out var connection) ? connection : null;
            }
        }

        /// <summary>The named connections matching a wildcard pattern, then the default if it has no name here.</summary>
        public static List<CaxtonConnection> List(string pattern)
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
            var slot = CurrentSlot();
            lock (slot)
            {
                var found = new List<CaxtonConnection>();
                foreach (var pair in slot.Named)
                {
                    if (wildcard.IsMatch(pair.Key))
                    {
                        found.Add(pair.Value);
                    }
                }

                if (slot.Default != null && !slot.Named.ContainsValue(slot.Default) && wildcard.IsMatch(slot.Default.Name))
                {
                    found.Add(slot.Default);
                }

                return found;
            }
        }

        public static IEnumerable<string> Names()
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                return new List<string>(slot.Named.Keys);
            }
        }

        /// <summary>Forgets a connection's secrets, releases its HTTP handler, and drops it from the default and the names.</summary>
        public static void Remove(CaxtonConnection connection)
        {
            connection.Disconnect();
            var slot = CurrentSlot();
            lock (slot)
            {
                if (ReferenceEquals(slot.Default, connection))
                {
                    slot.Default = null;
                }

                foreach (var name in new List<string>(slot.Named.Keys))
                {
                    if (ReferenceEquals(slot.Named[name], connection))
                    {
                        slot.Named.Remove(name);
                    }
                }
            }
        }

        /// <summary>The default, if there is one; never creates it.</summary>
        public static CaxtonConnection? PeekDefault()
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                return slot.Default;
            }
        }

        private static Slot CurrentSlot() => Slots.GetValue(Runspace.DefaultRunspace, _ => new Slot());

        // Which runspaces ever named a connection so, for ConnectionNotFound's advice only: weak, so it
        // keeps no runspace alive.
        private static readonly Dictionary<string, List<WeakReference<Runspace>>> NamesEverUsed = new Dictionary<string, List<WeakReference<Runspace>>>(StringComparer.OrdinalIgnoreCase);

        private static void Remember(string name)
        {
            var runspace = Runspace.DefaultRunspace;
            lock (NamesEverUsed)
            {
                if (!NamesEverUsed.TryGetValue(name, out var runspaces))
                {
                    NamesEverUsed[name] = runspaces = new List<WeakReference<Runspace>>();
                }

                runspaces.RemoveAll(r => !r.TryGetTarget(out _));
                if (!runspaces.Exists(r => r.TryGetTarget(out var known) && ReferenceEquals(known, runspace)))
                {
                    runspaces.Add(new WeakReference<Runspace>(runspace));
                }
            }
        }

        private sealed class Slot
        {
            public readonly Dictionary<string, CaxtonConnection> Named = new Dictionary<string, CaxtonConnection>(StringComparer.OrdinalIgnoreCase);
            public CaxtonConnection? Default;
            // Why the default has no connection: the last Connect-Caxton failed (null otherwise).
            public string? DefaultFailure;
            // Names whose last Connect-Caxton -Name failed, and why.
            public readonly Dictionary<string, string> NamedFailures = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }
    }
}
