using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;

namespace Caxton.Commands
{
    /// <summary>
    /// Windows PowerShell 5.1 only: one AppDomain, no load contexts. Loads Caxton.Engine and its
    /// dependencies from Dependencies/ when the runtime cannot find them, accepting our file for a request
    /// of the same or a lower version (the binding redirects 5.1 does not have for us). Isolation here
    /// rests on our low, pinned versions; another module's newer copy is left to that module.
    /// </summary>
    internal static class FrameworkDependencies
    {
        private static readonly ConcurrentDictionary<string, Assembly?> Loaded = new ConcurrentDictionary<string, Assembly?>(StringComparer.OrdinalIgnoreCase);

        internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        internal static void Unregister() => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (requested.Name == null)
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
    }
}
