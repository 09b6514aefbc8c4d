using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Caxton.Commands
{
    /// <summary>
    /// The default connection of each runspace. Keyed by the runspace itself, so a Connect-Caxton in one
    /// runspace (a thread job, ForEach-Object -Parallel) never changes another's default, and the entry
    /// goes away with its runspace.
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

        public static void SetDefault(CaxtonConnection connection)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default = connection;
            }
        }

        /// <summary>Drops the default if it is this connection (or any, when null).</summary>
        public static void ClearDefault(CaxtonConnection? connection)
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                if (connection is null || ReferenceEquals(slot.Default, connection))
                {
                    slot.Default = null;
                }
            }
        }

        /// <summary>Forgets the default's credential and token, and the default itself.</summary>
        public static void ForgetDefault()
        {
            var slot = CurrentSlot();
            lock (slot)
            {
                slot.Default?.Forget();
                slot.Default = null;
            }
        }

        private static Slot CurrentSlot() => Slots.GetValue(Runspace.DefaultRunspace, _ => new Slot());

        private sealed class Slot
        {
            public CaxtonConnection? Default;
        }
    }
}
