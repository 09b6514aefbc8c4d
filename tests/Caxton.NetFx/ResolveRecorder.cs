using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Caxton.NetFx
{
    /// <summary>
    /// Records every AppDomain.AssemblyResolve request. .NET Framework (and Mono) asks the handlers in the
    /// order they were added and stops at the first answer, so one handler added before everything else
    /// sees every request, and one added after everything else sees only the requests nobody answered.
    /// </summary>
    internal sealed class ResolveRecorder
    {
        private readonly ConcurrentQueue<(string Name, string? Requester)> requests = new ConcurrentQueue<(string, string?)>();
        private readonly ConcurrentQueue<string> unanswered = new ConcurrentQueue<string>();

        /// <summary>Call before anything else adds a handler.</summary>
        public void AttachFirst() => AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
        {
            requests.Enqueue((args.Name, args.RequestingAssembly?.GetName().Name));
            return null;
        };

        /// <summary>Call after every other handler is added.</summary>
        public void AttachLast() => AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
        {
            unanswered.Enqueue(args.Name);
            return null;
        };

        public IReadOnlyCollection<string> Unanswered => unanswered.ToArray();

        /// <summary>
        /// Unanswered requests for code. A satellite (Name.resources in a culture) may go unanswered: the
        /// resource manager then falls back to the neutral resources, as it does on .NET Framework.
        /// </summary>
        public IReadOnlyCollection<string> UnansweredAssemblies =>
            unanswered.Distinct().Where(name => !IsSatellite(new AssemblyName(name))).ToArray();

        private static bool IsSatellite(AssemblyName name) =>
            name.Name != null && name.Name.EndsWith(".resources", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(name.CultureName);

        public IReadOnlyCollection<(string Name, string? Requester)> Requests => requests.ToArray();

        /// <summary>Each request, who asked, and what the domain now holds under that name (the answer).</summary>
        public IEnumerable<string> Describe()
        {
            var loaded = AppDomain.CurrentDomain.GetAssemblies();
            var missed = new HashSet<string>(unanswered);
            foreach (var (name, requester) in requests.Distinct())
            {
                var simple = new AssemblyName(name).Name;
                var answer = missed.Contains(name)
                    ? "UNANSWERED"
                    : string.Join(" | ", loaded.Where(a => a.GetName().Name == simple).Select(a => $"{a.GetName().Version} from {Describe(a)}"));
                yield return $"{name} (asked by {requester ?? "no assembly"}) -> {answer}";
            }
        }

        private static string Describe(Assembly assembly) => assembly.IsDynamic ? "(dynamic)" : assembly.Location;
    }
}
