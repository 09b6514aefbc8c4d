using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Caxton.Tests;

/// <summary>
/// The built module's reference closure on Windows PowerShell 5.1 (see ReferenceClosure). build.ps1 builds
/// the module first and names it in CAXTON_TEST_MODULE_DIR; a plain `dotnet test` looks for out/Caxton in
/// the repository and, if it is not built, skips these tests saying so (under CI=true they fail instead).
/// </summary>
public class ReferenceClosureTests
{
    /// <summary>The built module's folder: CAXTON_TEST_MODULE_DIR, else out/Caxton in the repository.</summary>
    internal static string ModuleDirectory()
    {
        var directory = Environment.GetEnvironmentVariable("CAXTON_TEST_MODULE_DIR");
        if (!string.IsNullOrEmpty(directory))
        {
            return directory;
        }

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Caxton.sln")))
        {
            root = root.Parent;
        }

        return root is null ? string.Empty : Path.Combine(root.FullName, "out", "Caxton");
    }

    internal static bool IsBuilt() => File.Exists(Path.Combine(ModuleDirectory(), "Caxton.dll"));

    private static string BuiltModule()
    {
        var directory = ModuleDirectory();
        Assert.True(IsBuilt(), $"No built module at '{directory}': run `dotnet pwsh ./build.ps1` first (build.ps1 -Task Test does).");
        return directory;
    }

    [BuiltModuleFact]
    public void Every_reference_of_the_built_module_binds_on_NET_Framework_472()
    {
        var offenders = ReferenceClosure.ForNetFramework472().Offenders(BuiltModule());

        Assert.True(offenders.Count == 0, "These references would not bind on Windows PowerShell 5.1:\n" + string.Join("\n", offenders));
    }

    [BuiltModuleFact]
    public void Only_the_loader_takes_anything_from_System_Runtime_Loader_and_only_AssemblyLoadContext()
    {
        var module = BuiltModule();
        var types = ReferenceClosure.LoaderTypesUsedBy(Path.Combine(module, ReferenceClosure.LoaderFile));

        Assert.Equal(new[] { "System.Runtime.Loader.AssemblyLoadContext" }, types.Distinct());
        // Caxton.dll, which 5.1 loads and reflection tools read, names none: its GetTypes() works on .NET Framework.
        Assert.Empty(ReferenceClosure.LoaderTypesUsedBy(Path.Combine(module, "Caxton.dll")));
    }

    [BuiltModuleFact]
    public void The_three_known_mismatches_are_there_and_answered_by_the_rule()
    {
        // If a bump removes one, this list is out of date: the README names them.
        var dependencies = Path.Combine(BuiltModule(), "Dependencies");
        Assert.Equal(new Version(6, 0, 0, 0), AssemblyName.GetAssemblyName(Path.Combine(dependencies, "System.Runtime.CompilerServices.Unsafe.dll")).Version);
        Assert.Equal(new Version(4, 0, 3, 0), AssemblyName.GetAssemblyName(Path.Combine(dependencies, "System.Buffers.dll")).Version);
        Assert.Equal(new Version(4, 2, 1, 0), AssemblyName.GetAssemblyName(Path.Combine(dependencies, "System.ComponentModel.Annotations.dll")).Version);
    }

    [BuiltModuleFact]
    public void Shipping_a_dependency_below_what_a_dependent_asks_for_fails_the_check()
    {
        using var folder = new SyntheticModule();
        folder.Copy(BuiltModule());
        Assert.Empty(ReferenceClosure.ForNetFramework472().Offenders(folder.Path));

        // System.Memory asks for Unsafe 4.0.4.1; ship 4.0.0.0 instead.
        folder.Replace("System.Runtime.CompilerServices.Unsafe", new Version(4, 0, 0, 0));
        var offenders = ReferenceClosure.ForNetFramework472().Offenders(folder.Path);

        Assert.Contains(offenders, o => o.StartsWith("System.Memory.dll -> System.Runtime.CompilerServices.Unsafe 4.0.4.1: shipped at the lower version 4.0.0.0", StringComparison.Ordinal));
    }

    [BuiltModuleFact]
    public void A_reference_to_something_neither_shipped_nor_in_the_framework_fails_the_check()
    {
        using var folder = new SyntheticModule();
        folder.Copy(BuiltModule());
        File.Delete(System.IO.Path.Combine(folder.Path, "Dependencies", "System.Buffers.dll"));

        var offenders = ReferenceClosure.ForNetFramework472().Offenders(folder.Path);

        Assert.Contains(offenders, o => o.Contains("-> System.Buffers 4.0.", StringComparison.Ordinal) && o.EndsWith("neither in .NET Framework 4.7.2 nor shipped", StringComparison.Ordinal));
    }

    /// <summary>A copy of a module folder in a temporary directory, where files can be swapped.</summary>
    private sealed class SyntheticModule : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("caxton-closure-").FullName;

        public void Copy(string module)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "Dependencies"));
            foreach (var file in Directory.GetFiles(module, "*.dll").Concat(Directory.GetFiles(System.IO.Path.Combine(module, "Dependencies"), "*.dll")))
            {
                File.Copy(file, file.Replace(module, Path, StringComparison.Ordinal));
            }
        }

        /// <summary>Replaces a shipped dependency with an empty assembly of the same name at another version.</summary>
        public void Replace(string name, Version version)
        {
            var builder = new PersistedAssemblyBuilder(new AssemblyName(name) { Version = version }, typeof(object).Assembly);
            builder.DefineDynamicModule(name).DefineType("Placeholder", TypeAttributes.Public).CreateType();
            builder.Save(System.IO.Path.Combine(Path, "Dependencies", name + ".dll"));
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A fact about the built module: skipped, saying why, when it is not built, except under CI=true.</summary>
public sealed class BuiltModuleFactAttribute : FactAttribute
{
    public BuiltModuleFactAttribute()
    {
        if (!ReferenceClosureTests.IsBuilt() && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"No built module at '{ReferenceClosureTests.ModuleDirectory()}': run `dotnet pwsh ./build.ps1` first (build.ps1 -Task Test always does).";
        }
    }
}
