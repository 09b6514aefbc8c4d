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

        /// <summary>The runspace's default, created from CAXTON_* variables on first use.</summary>
        public static CaxtonConnection GetDefault()
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                return slot.Default ??= CaxtonConnection.FromEnvironmentVariables();
            }
        }

        /// <summary>Makes a connection the default, and registers it under its name when it has one.</summary>
        public static void Add(CaxtonConnection connection, bool named)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default = connection;
                if (named)
                {
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

        private sealed class Slot
        {
            public readonly Dictionary<string, CaxtonConnection> Named = new Dictionary<string, CaxtonConnection>(StringComparer.OrdinalIgnoreCase);
            public CaxtonConnection? Default;
        }
    }
}
