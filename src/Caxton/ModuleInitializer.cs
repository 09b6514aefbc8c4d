using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Caxton.Commands
{
    /// <summary>
    /// Dependency isolation. Only Caxton.dll sits beside the manifest; Caxton.Engine and everything it
    /// needs live in Dependencies/, where neither PowerShell nor .NET looks on its own. When the runtime
    /// first needs them (a cmdlet runs), a handler registered here loads them: on PowerShell 7 the engine
    /// into the default context and its Microsoft.Extensions.* (behind Caxton.Http) into a private
    /// AssemblyLoadContext (Caxton.Loader.dll, PowerShell 7 only), so they never meet another module's copies; on Windows
    /// PowerShell 5.1, which has no load contexts, all from Dependencies/ through AppDomain.AssemblyResolve,
    /// relying on our low, pinned versions. Import only registers a handler: nothing loads until needed.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        private static int imports;

        private static string ModuleDirectory { get; } = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

        internal static string DependencyDirectory { get; } = Path.Combine(ModuleDirectory, "Dependencies");

        /// <summary>True on .NET (Core), PowerShell 6+; false on .NET Framework, Windows PowerShell 5.1.</summary>
        internal static bool IsCoreClr { get; } = typeof(object).Assembly.GetName().Name == "System.Private.CoreLib";

        // PowerShell calls OnImport once per import, in every runspace that imports the module, and
        // OnRemove only on Remove-Module: the handler stays while any import may still be in use.
        public void OnImport()
        {
            // The engine runs on the framework's System.Text.Json, 8.0 or newer from PowerShell 7.4 (.NET 8):
            // say so at import rather than fail later with a load error.
            if (IsCoreClr && Environment.Version.Major < 8)
            {
                throw new PlatformNotSupportedException($"Caxton needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this is .NET {Environment.Version}.");
            }

            lock (Gate)
            {
                if (imports++ == 0)
                {
                    if (IsCoreClr)
                    {
                        RegisterCoreClr();
                    }
                    else
                    {
                        FrameworkDependencies.Register();
                    }
                }
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                if (imports > 0 && --imports == 0)
                {
                    if (IsCoreClr)
                    {
                        UnregisterCoreClr();
                    }
                    else
                    {
                        FrameworkDependencies.Unregister();
                    }
                }
            }
        }

        // The load context derives from AssemblyLoadContext, which .NET Framework does not have, so it lives in
        // Caxton.Loader.dll beside this file: Caxton.dll names nothing 5.1 lacks, and its GetTypes() works
        // there. These two methods are the only way to the loader, are not inlined, and are compiled only
        // when called on .NET. The loader is loaded by path first: nothing else puts our folder on the
        // default context's probing path.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterCoreClr()
        {
            Assembly.LoadFrom(Path.Combine(ModuleDirectory, "Caxton.Loader.dll"));
            RegisterLoader();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterLoader() => Caxton.Loader.CaxtonLoader.Register(DependencyDirectory);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void UnregisterCoreClr() => Caxton.Loader.CaxtonLoader.Unregister();
    }
}
