using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace Caxton.Loader
{
    /// <summary>
    /// The assemblies the runtime's shared framework provides, as opposed to the host application's own.
    /// TRUSTED_PLATFORM_ASSEMBLIES lists both: in pwsh, the framework plus pwsh's files; in a custom
    /// Microsoft.PowerShell.SDK host, the framework plus every dependency of that application, its own
    /// Microsoft.Extensions.* included. Only the first kind may stand in for Caxton's copies (a framework
    /// type must stay the framework's); the application's copies are another party's, at versions Caxton
    /// was not built against, so Caxton loads its own beside them. The decision, per name:
    /// <list type="bullet">
    /// <item>Framework-dependent process (dotnet pwsh, most SDK hosts): CoreLib lives in
    /// <c>shared/Microsoft.NETCore.App/&lt;version&gt;/</c>; an assembly is the framework's when its file is in
    /// that <c>shared/</c> folder, Microsoft.NETCore.App or a sibling framework such as Microsoft.AspNetCore.App.</item>
    /// <item>Self-contained process (the pwsh packages, a published host): the runtime and the application
    /// share one folder, so location proves nothing. The framework is then the names Microsoft.NETCore.App
    /// uses (System.*, mscorlib, netstandard, Microsoft.Win32.*, Microsoft.CSharp, Microsoft.VisualBasic*,
    /// WindowsBase); never Microsoft.Extensions.* or Microsoft.Bcl.*, which that framework does not contain.</item>
    /// <item>Either way, the framework's copy serves only at the same or a higher assembly version than ours.</item>
    /// </list>
    /// </summary>
    internal sealed class SharedFramework
    {
        /// <summary>Name to file, for the framework's assemblies only.</summary>
        private readonly Dictionary<string, string> files;

        internal SharedFramework(Dictionary<string, string> files) => this.files = files;

        public static SharedFramework OfThisProcess() =>
            From(AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string, typeof(object).Assembly.Location);

        /// <summary>Reads the trusted platform assemblies of a process whose CoreLib is at <paramref name="coreLibPath"/>.</summary>
        internal static SharedFramework From(string? trustedPlatformAssemblies, string coreLibPath)
        {
            var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var sharedRoot = SharedRootOf(coreLibPath);
            foreach (var path in (trustedPlatformAssemblies ?? string.Empty).Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                var name = Path.GetFileNameWithoutExtension(path);
                var isFramework = sharedRoot != null
                    ? path.StartsWith(sharedRoot, StringComparison.OrdinalIgnoreCase)
                    : IsFrameworkName(name);
                if (isFramework && !files.ContainsKey(name))
                {
                    files.Add(name, path);
                }
            }

            return new SharedFramework(files);
        }

        /// <summary>
        /// The <c>shared/</c> folder (with a trailing separator) when CoreLib is in
        /// <c>shared/Microsoft.NETCore.App/&lt;version&gt;/</c>; null for a self-contained process.
        /// </summary>
        internal static string? SharedRootOf(string coreLibPath)
        {
            var versionFolder = Path.GetDirectoryName(coreLibPath);
            var frameworkFolder = versionFolder is null ? null : Path.GetDirectoryName(versionFolder);
            if (frameworkFolder is null || !string.Equals(Path.GetFileName(frameworkFolder), "Microsoft.NETCore.App", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var root = Path.GetDirectoryName(frameworkFolder);
            return root is null ? null : root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        }

        /// <summary>The names Microsoft.NETCore.App gives its assemblies.</summary>
        internal static bool IsFrameworkName(string name) =>
            name.Equals("System", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("System.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.Win32.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.VisualBasic", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Microsoft.CSharp", StringComparison.OrdinalIgnoreCase)
            || name.Equals("mscorlib", StringComparison.OrdinalIgnoreCase)
            || name.Equals("netstandard", StringComparison.OrdinalIgnoreCase)
            || name.Equals("WindowsBase", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// True when the framework has this name at the version of <paramref name="ourPath"/> or higher. Reads
        /// two assembly versions, only for a name both sides have, once per name (the context remembers what it loaded).
        /// </summary>
        public bool ProvidesAtLeast(string name, string ourPath)
        {
            if (!files.TryGetValue(name, out var frameworkPath))
            {
                return false;
            }

            try
            {
                var theirs = AssemblyName.GetAssemblyName(frameworkPath).Version;
                var ours = AssemblyName.GetAssemblyName(ourPath).Version;
                return theirs != null && (ours is null || theirs >= ours);
            }
            catch (Exception exception) when (exception is IOException || exception is BadImageFormatException || exception is UnauthorizedAccessException)
            {
                // A framework file we cannot read: the default context will fail on it just the same; ours serves.
                return false;
            }
        }
    }
}
