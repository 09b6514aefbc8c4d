using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace Caxton.Tests;

/// <summary>The design in docs/ARCHITECTURE.md, held: a regression here is a design change, made on purpose or not at all.</summary>
public class ArchitectureTests
{
    private static string RepoRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Caxton.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return root!.FullName;
    }

    [Fact]
    public void The_engine_grants_its_internals_to_the_xunit_tests_alone_never_to_the_cmdlets()
    {
        var friends = typeof(CaxtonConnection).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();

        Assert.Equal(new[] { "Caxton.Tests" }, friends);
    }

    [Fact]
    public void Src_holds_only_product_projects()
    {
        var src = Path.Combine(RepoRoot(), "src");
        // A folder left with only build output (bin/, obj/ of a renamed project) is not part of the tree.
        var strays = Directory.GetDirectories(src)
            .Where(folder => Directory.EnumerateFileSystemEntries(folder).Any(entry => Path.GetFileName(entry) is not ("bin" or "obj")))
            .Where(folder => Directory.GetFiles(folder, "*.csproj").Length == 0)
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(strays);
    }

    /// <summary>The "Projects" block of docs/ARCHITECTURE.md: each line's folder and what follows its arrow.</summary>
    private static Dictionary<string, string> DocumentedProjects()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "ARCHITECTURE.md"));
        var block = Regex.Match(text, @"## Projects and what each may reference.*?```\s*\n(?<lines>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "docs/ARCHITECTURE.md has no projects block");
        return block.Groups["lines"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Regex.Match(line, @"^(?<folder>\S+)\s.*?->(?<references>.*)$"))
            .Where(match => match.Success)
            .ToDictionary(match => match.Groups["folder"].Value, match => match.Groups["references"].Value);
    }

    [Fact]
    public void Every_folder_under_src_and_tests_and_every_project_is_named_in_ARCHITECTURE_md_and_nothing_else()
    {
        var root = RepoRoot();
        static bool Built(string folder) => Path.GetFileName(folder) is "bin" or "obj" or "TestResults";
        var folders = new[] { "src", "tests" }
            .SelectMany(top => Directory.GetDirectories(Path.Combine(root, top)))
            .Where(folder => !Built(folder) && Directory.EnumerateFileSystemEntries(folder).Any(entry => !Built(entry)))
            .Concat(Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories).Select(Path.GetDirectoryName).Select(folder => folder!))
            .Concat(Directory.GetDirectories(Path.Combine(root, "tools")))
            .Select(folder => Path.GetRelativePath(root, folder).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(folder => !folder.Split('/').Any(part => part is "bin" or "obj" or "out" || part.StartsWith('.')))
            .ToHashSet();
        var documented = DocumentedProjects().Keys.Where(folder => !folder.StartsWith("examples", StringComparison.Ordinal)).ToHashSet();

        Assert.Empty(folders.Except(documented).Select(folder => $"{folder} is not in docs/ARCHITECTURE.md"));
        Assert.Empty(documented.Except(folders).Select(folder => $"docs/ARCHITECTURE.md names {folder}, which is not there"));
    }

    [Fact]
    public void Each_projects_references_are_on_its_line_in_ARCHITECTURE_md()
    {
        var root = RepoRoot();
        var documented = DocumentedProjects();
        var missing = new List<string>();
        foreach (var project in Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories).Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var folder = Path.GetRelativePath(root, Path.GetDirectoryName(project)!).Replace(Path.DirectorySeparatorChar, '/');
            var line = documented.TryGetValue(folder, out var references) ? references : string.Empty;
            foreach (Match reference in Regex.Matches(File.ReadAllText(project), @"<ProjectReference Include=""[^""]*?(?<name>[\w.]+)\.csproj"""))
            {
                if (!Regex.IsMatch(line, $@"\b{Regex.Escape(reference.Groups["name"].Value)}\b"))
                {
                    missing.Add($"{folder} references {reference.Groups["name"].Value}");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("src/Caxton.Engine", "Caxton")]
    [InlineData("src/Caxton", "Caxton.Commands")]
    [InlineData("src/Caxton.Emulator", "Caxton.Emulator")]
    public void Namespaces_follow_folders(string project, string rootNamespace)
    {
        var projectDirectory = Path.Combine(RepoRoot(), project);
        var wrong = new List<string>();
        foreach (var file in Directory.GetFiles(projectDirectory, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(projectDirectory, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || file.EndsWith("IsExternalInit.cs", StringComparison.Ordinal) // a compiler polyfill, in the framework's namespace
                || (project.EndsWith("Emulator", StringComparison.Ordinal) && relative == "Program.cs")) // top-level statements
            {
                continue;
            }

            var folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            var expected = folder.Length == 0 ? rootNamespace : $"{rootNamespace}.{folder}";
            var declared = Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+)", RegexOptions.Multiline).Groups[1].Value;
            if (declared != expected)
            {
                wrong.Add($"{relative}: {declared}, not {expected}");
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public void Each_public_engine_type_has_a_file_of_its_own()
    {
        var engine = typeof(CaxtonConnection).Assembly;
        var directory = Path.Combine(RepoRoot(), "src", "Caxton.Engine");
        var files = Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).ToHashSet();
        var homeless = engine.GetExportedTypes().Where(t => !t.IsNested && !files.Contains(t.Name)).Select(t => t.FullName).ToList();

        Assert.Empty(homeless);
    }

    [Fact]
    public void No_file_names_a_path_outside_the_repo()
    {
        // Built from parts, so this file does not name them itself.
        var outside = new Regex(string.Join("|", Regex.Escape("../" + "shared"), Regex.Escape("/" + "work/"), Regex.Escape("/" + "home/"), @"[A-Za-z]:\\" + "Users"));
        var root = RepoRoot();
        var skipped = new[] { ".git", "bin", "obj", "out", "TestResults", "node_modules" };
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => skipped.Contains(part)) || new FileInfo(file).Length > 1_000_000)
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (text.IndexOf('\0') < 0 && outside.Match(text) is { Success: true } match)
            {
                found.Add($"{relative}: {match.Value}");
            }
        }

        Assert.Empty(found);
    }
}
