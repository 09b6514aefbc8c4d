using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;

namespace Caxton.Commands
{
    /// <summary>
    /// Windows PowerShell 5.1 only: one AppDomain, no load contexts. Loads Caxton.Engine and its
    /// dependencies from Dependencies/ when the runtime cannot find them, accepting our file for a request
    /// of the same or a lower version (the binding redirects 5.1 does not have for us). The handler is
    /// process-wide, so it answers Caxton's own requests only (see <see cref="AsksForCaxton"/>): another
    /// module's request for an assembly we also ship is left to that module.
    /// </summary>
    internal static class FrameworkDependencies
    {
        /// <summary>Caxton's own assemblies in Dependencies/: nobody else can rightly ask for them.</summary>
        private static readonly string[] OwnNames = { "Caxton.Engine", "Caxton.Http" };

        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(FrameworkDependencies).Assembly.Location)!;

        private static readonly ConcurrentDictionary<string, Assembly?> Loaded = new ConcurrentDictionary<string, Assembly?>(StringComparer.OrdinalIgnoreCase);

        internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        internal static void Unregister() => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (requested.Name == null || !AsksForCaxton(args.RequestingAssembly, requested.Name))
            {
                return null;
            }

            var path = Path.Combine(ModuleInitializer.DependencyDirectory, requested.Name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }

            var ours = AssemblyName.GetAssemblyName(path);
            if (requested.Version != null && (ours.Version == null || ours.Version < requested.Version))
            {
                return null;
            }

            // LoadFrom: the engine's own references are then probed in Dependencies/ first, by the runtime.
            return Loaded.GetOrAdd(path, Assembly.LoadFrom);
        }

        /// <summary>
        /// Whether Caxton made this request: the requesting assembly is Caxton.dll or one of the files in
        /// Dependencies/. The runtime names no requesting assembly for a request by name (Assembly.Load, a
        /// type name in a script; Mono also for some static references): those are answered only for
        /// Caxton's own assemblies, never for a shared one such as System.Text.Json.
        /// </summary>
        internal static bool AsksForCaxton(Assembly? requesting, string name)
        {
            if (requesting is null)
            {
                return Array.Exists(OwnNames, own => string.Equals(own, name, StringComparison.OrdinalIgnoreCase));
            }

            if (requesting.IsDynamic || string.IsNullOrEmpty(requesting.Location))
            {
                return false;
            }

            var directory = Path.GetDirectoryName(requesting.Location);
            return SameDirectory(directory, ModuleDirectory) || SameDirectory(directory, ModuleInitializer.DependencyDirectory);
        }

        private static bool SameDirectory(string? a, string b) =>
            a != null && string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);
    }
}
