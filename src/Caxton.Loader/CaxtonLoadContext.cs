using System;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Caxton.Loader
{
    /// <summary>The one entry point, called by Caxton.dll's ModuleInitializer on PowerShell 7 only.</summary>
    public static class CaxtonLoader
    {
        /// <summary>Registers Caxton's resolver for the engine and the private context for its dependencies in <paramref name="directory"/>.</summary>
        public static void Register(string directory) => CaxtonLoadContext.Register(directory);

        public static void Unregister() => CaxtonLoadContext.Unregister();
    }

    /// <summary>
    /// PowerShell 7 only (this assembly is never loaded on .NET Framework; see ModuleInitializer). Caxton.dll and
    /// Caxton.Engine live in the default context, so PowerShell sees their types ([Caxton.CaxtonConnection]
    /// in scripts, type data, binding): PowerShell deliberately hides assemblies of custom load contexts
    /// from its type resolution. Caxton.Http, the engine's one gateway to Microsoft.Extensions.*, and
    /// everything it references load into this private context instead. The default context asks its
    /// Resolving handlers for both names (neither is where .NET looks), and ours answers: Caxton.Engine
    /// loaded into the default context, Caxton.Http into this one. Every reference Caxton.Http then makes
    /// comes to Load(): our copy from Dependencies/, unless the runtime's shared framework provides that
    /// assembly at the same or a higher version (System.Text.Json, System.Memory, ...; see
    /// <see cref="SharedFramework"/>), in which case the default context's copy is used, so framework types
    /// stay the framework's. Another module's, or the host application's, Microsoft.Extensions.* in the
    /// default context, older, newer or the same, loaded before or after us, never meets ours.
    /// </summary>
    internal sealed class CaxtonLoadContext : AssemblyLoadContext
    {
        private const string EngineName = "Caxton.Engine";
        private const string IsolatedName = "Caxton.Http";

        private static readonly object Gate = new object();
        private static CaxtonLoadContext? instance;
        private static bool registered;

        private readonly string directory;

        /// <summary>
        /// Dependencies/r2r-net&lt;major&gt;-&lt;rid&gt;: build.ps1's precompiled (ReadyToRun) copies of the engine, Caxton.Http
        /// and Microsoft.Extensions.* for this .NET major version and platform, when they were built; else null
        /// and the IL beside them serves (JIT-compiled on first use, as on any other runtime).
        /// </summary>
        private readonly string? precompiled;
        private readonly Lazy<SharedFramework> sharedFramework = new Lazy<SharedFramework>(SharedFramework.OfThisProcess);

        private CaxtonLoadContext(string directory)
        {
            this.directory = directory;
            var platform = PlatformName();
            var candidate = platform is null ? null : Path.Combine(directory, $"r2r-net{Environment.Version.Major}-{platform}");
            precompiled = candidate != null && Directory.Exists(candidate) ? candidate : null;
        }

        /// <summary>This process's platform as a runtime identifier (linux-x64, win-arm64, ...), or null for one we never precompile for.</summary>
        private static string? PlatformName()
        {
            var os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux" : null;
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => null,
            };
            return os is null || arch is null ? null : os + "-" + arch;
        }

        /// <summary>
        /// Our file for an assembly name: the precompiled copy where there is one that was compiled from the
        /// very IL beside it (the same module version id: Crossgen2 keeps the IL's metadata), else the IL in
        /// Dependencies/. A precompiled copy left over from another build, or an IL file replaced after the
        /// build (a hotfix), never serves old code.
        /// </summary>
        private string PathOf(string name)
        {
            var il = Path.Combine(directory, name + ".dll");
            if (precompiled != null)
            {
                var path = Path.Combine(precompiled, name + ".dll");
                if (File.Exists(path) && IsCompiledFrom(path, il))
                {
                    return path;
                }
            }

            return il;
        }

        /// <summary>Whether two files are builds of one module: the same MVID. Anything unreadable is not.</summary>
        internal static bool IsCompiledFrom(string precompiledPath, string ilPath)
        {
            try
            {
                return File.Exists(ilPath) && ModuleVersionId(precompiledPath) == ModuleVersionId(ilPath);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException || exception is BadImageFormatException || exception is InvalidOperationException)
            {
                return false;
            }
        }

        private static Guid ModuleVersionId(string path)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete))
            using (var image = new PEReader(stream))
            {
                var metadata = image.GetMetadataReader();
                return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
            }
        }

        internal static void Register(string directory)
        {
            lock (Gate)
            {
                // The context is created here but loads nothing until the engine is first needed.
                instance ??= new CaxtonLoadContext(directory);
                if (!registered)
                {
                    Default.Resolving += ResolveFromDefault;
                    registered = true;
                }
            }
        }

        internal static void Unregister()
        {
            lock (Gate)
            {
                // The context itself stays: what it already loaded is bound to the engine for good.
                Default.Resolving -= ResolveFromDefault;
                registered = false;
            }
        }

        /// <summary>The default context's last resort: we answer for our own two names only, never for others'.</summary>
        private static Assembly? ResolveFromDefault(AssemblyLoadContext context, AssemblyName name)
        {
            var loader = instance;
            if (loader == null)
            {
                return null;
            }

            if (string.Equals(name.Name, EngineName, StringComparison.OrdinalIgnoreCase))
            {
                return context.LoadFromAssemblyPath(loader.PathOf(EngineName));
            }

            return string.Equals(name.Name, IsolatedName, StringComparison.OrdinalIgnoreCase) ? loader.LoadFromAssemblyName(name) : null;
        }

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == null)
            {
                return null;
            }

            var path = PathOf(name.Name);
            if (!File.Exists(path) || sharedFramework.Value.ProvidesAtLeast(name.Name, path))
            {
                // null: the default context loads it (the framework's copy, or a failure as usual).
                return null;
            }

            return LoadFromAssemblyPath(path);
        }
    }
}
