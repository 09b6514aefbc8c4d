using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Caxton.Tests;

/// <summary>
/// Whether every assembly reference of a built module binds on Windows PowerShell 5.1 (.NET Framework 4.7.2):
/// the framework provides it, a shipped file matches it exactly, or it is a version mismatch that
/// Caxton's 5.1 resolver answers (a shipped file at or above the version asked for, in Dependencies/).
/// </summary>
internal sealed class ReferenceClosure
{
    /// <summary>Windows PowerShell 5.1's own assembly, from the GAC.</summary>
    private static readonly (string Name, Version Version) PowerShell = ("System.Management.Automation", new Version(3, 0, 0, 0));

    /// <summary>PowerShell 7's load context API: only Caxton.Loader.dll, never loaded on 5.1, may name it.</summary>
    private const string LoaderAssembly = "System.Runtime.Loader";

    /// <summary>What else only the loader names, from PowerShell 7's runtime: the metadata reader of its MVID check.</summary>
    private const string LoaderMetadataAssembly = "System.Reflection.Metadata";

    /// <summary>Caxton's PowerShell 7 loader, loaded by Caxton.dll's ModuleInitializer on .NET only.</summary>
    public const string LoaderFile = "Caxton.Loader.dll";

    private readonly Dictionary<string, Version> framework;

    public ReferenceClosure(IReadOnlyDictionary<string, Version> framework)
    {
        this.framework = new Dictionary<string, Version>(framework, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The net472 FrameworkList.xml copied beside the tests (from Microsoft.NETFramework.ReferenceAssemblies.net472).</summary>
    public static ReferenceClosure ForNetFramework472()
    {
        var list = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "netfx", "FrameworkList.xml"));
        return new ReferenceClosure(list.Root!.Elements("File").ToDictionary(
            file => (string)file.Attribute("AssemblyName")!,
            file => Version.Parse((string)file.Attribute("Version")!),
            StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Every reference in the module folder and its Dependencies/ that would not bind, one line each.</summary>
    public IReadOnlyList<string> Offenders(string moduleDirectory)
    {
        var dependencies = Path.Combine(moduleDirectory, "Dependencies");
        var files = Directory.GetFiles(moduleDirectory, "*.dll").Concat(Directory.GetFiles(dependencies, "*.dll")).ToList();
        var shipped = new Dictionary<string, (Version Version, bool InDependencies)>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            var name = AssemblyName.GetAssemblyName(file);
            shipped[name.Name!] = (name.Version!, Path.GetDirectoryName(file) == dependencies);
        }

        var offenders = new List<string>();
        foreach (var file in files)
        {
            var fileName = Path.GetFileName(file);
            foreach (var (name, version) in References(file))
            {
                var why = Problem(fileName, name, version, shipped);
                if (why != null)
                {
                    offenders.Add($"{fileName} -> {name} {version}: {why}");
                }
            }
        }

        return offenders;
    }

    private string? Problem(string fileName, string name, Version version, Dictionary<string, (Version Version, bool InDependencies)> shipped)
    {
        if (string.Equals(name, LoaderAssembly, StringComparison.OrdinalIgnoreCase) || string.Equals(name, LoaderMetadataAssembly, StringComparison.OrdinalIgnoreCase) && fileName == LoaderFile)
        {
            return fileName == LoaderFile ? null : $"only the PowerShell 7 loader, {LoaderFile}, may reference it";
        }

        if (framework.TryGetValue(name, out var provided) && version <= provided)
        {
            return null; // .NET Framework unifies a reference to its own assemblies up to the version it has
        }

        if (string.Equals(name, PowerShell.Name, StringComparison.OrdinalIgnoreCase))
        {
            return version <= PowerShell.Version ? null : $"Windows PowerShell 5.1 has {PowerShell.Version}";
        }

        if (!shipped.TryGetValue(name, out var ours))
        {
            return provided != null ? $".NET Framework 4.7.2 has only {provided}, and it is not shipped" : "neither in .NET Framework 4.7.2 nor shipped";
        }

        if (ours.Version == version)
        {
            return null;
        }

        if (ours.Version < version)
        {
            return $"shipped at the lower version {ours.Version}, which the resolver refuses";
        }

        return ours.InDependencies ? null : $"shipped at {ours.Version} outside Dependencies/, where the resolver does not look";
    }

    private static IEnumerable<(string Name, Version Version)> References(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            yield return (metadata.GetString(reference.Name), reference.Version);
        }
    }

    /// <summary>The types an assembly takes from System.Runtime.Loader.</summary>
    public static IReadOnlyList<string> LoaderTypesUsedBy(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var types = new List<string>();
        foreach (var handle in metadata.TypeReferences)
        {
            var type = metadata.GetTypeReference(handle);
            if (type.ResolutionScope.Kind == HandleKind.AssemblyReference
                && metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name) == LoaderAssembly)
            {
                types.Add(metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name));
            }
        }

        return types;
    }
}
