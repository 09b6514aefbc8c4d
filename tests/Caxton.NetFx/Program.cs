using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using static Caxton.NetFx.Checks;

namespace Caxton.NetFx
{
    /// <summary>
    /// Windows PowerShell 5.1's import of Caxton, and the flow its cmdlets drive, on the .NET Framework API
    /// as Mono implements it: run as `mono --assembly-loader=strict Caxton.NetFx.exe MODULE_DIR SANDBOX_DLL`
    /// (MONO_ENV_OPTIONS=--assembly-loader=strict works too, and reaches the control's child process).
    /// Prints one line per check, every AssemblyResolve request with its answer, and closes with
    /// "netfx: N passed, N failed (mono strict loader)". Exit code 0 only when nothing failed.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length == 2 && args[0] == ExactVersionControl.Mode)
            {
                return ExactVersionControl.Run(args[1]);
            }

            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: mono --assembly-loader=strict Caxton.NetFx.exe MODULE_DIR SANDBOX_DLL");
                return 2;
            }

            var moduleDirectory = Path.GetFullPath(args[0]);
            var sandbox = Path.GetFullPath(args[1]);
            var checks = new Checks();
            var recorder = new ResolveRecorder();
            recorder.AttachFirst();
            var other = new OtherModule();
            other.Attach();

            Console.WriteLine($"netfx: Windows PowerShell 5.1's import of {moduleDirectory}, on {(Type.GetType("Mono.Runtime") != null ? "Mono" : ".NET Framework")} {Environment.Version}");
            var load = new ModuleLoad(moduleDirectory);
            checks.Run("Import-Module: LoadFrom Caxton.dll", load.LoadFrom);
            checks.Run("Import-Module: read ExportedTypes", () =>
            {
                load.ReadExportedTypes();
                Expect(load.ExportedTypes.Count > 0, "no exported types");
            });
            checks.Run("Import-Module: OnImport", load.RunOnImport);
            recorder.AttachLast();
            checks.Run("Import-Module: cmdlet attributes and parameter types, for every cmdlet the manifest exports", () =>
            {
                var scanned = load.ScanCmdlets().OrderBy(n => n).ToList();
                var exported = load.ManifestCmdlets().OrderBy(n => n).ToList();
                Expect(exported.Count > 0 && scanned.SequenceEqual(exported), $"cmdlets {string.Join(", ", scanned)}; manifest {string.Join(", ", exported)}");
            });
            checks.Run("Caxton.dll: GetTypes() loads every type (the load context lives in Caxton.Loader.dll, PowerShell 7 only)", () =>
            {
                Expect(!load.Module!.GetReferencedAssemblies().Any(a => a.Name == "System.Runtime.Loader"), "Caxton.dll references System.Runtime.Loader");
                Expect(load.Module.GetTypes().Any(t => t.Name == "ModuleInitializer"), "GetTypes() misses ModuleInitializer");
            });
            checks.Run("Import-Module: the initializer run is the only exported IModuleAssemblyInitializer", () =>
                Expect(load.InitializerIsTheOnlyOne(), "another exported type implements IModuleAssemblyInitializer"));

            var engine = new Engine(load.EngineAssembly());
            using (var emulator = new Emulator(sandbox))
            {
                Flow.Run(checks, engine, emulator);
            }

            ResolverScope.Run(checks, load.Module!, moduleDirectory);
            checks.Run("Remove-Module: OnRemove", load.RunOnRemove);

            checks.Run("another module's handler, added first, never answered for Caxton", () =>
                Expect(other.AnsweredForOthers.IsEmpty, string.Join("; ", other.AnsweredForOthers)));
            checks.Run("Caxton.Engine and System.Text.Json came from out/Caxton/Dependencies", () =>
            {
                foreach (var name in new[] { "Caxton.Engine", "System.Text.Json", "System.Memory" })
                {
                    var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == name).ToList();
                    Expect(loaded.Count == 1 && Path.GetDirectoryName(loaded[0].Location) == Path.Combine(moduleDirectory, "Dependencies"),
                        $"{name}: {string.Join(", ", loaded.Select(a => a.IsDynamic ? "(dynamic)" : a.Location))}");
                }
            });

            Console.WriteLine("netfx: AssemblyResolve requests and their answers:");
            foreach (var line in recorder.Describe())
            {
                Console.WriteLine("    " + line);
            }

            checks.Run("every AssemblyResolve request was answered", () =>
                Expect(recorder.UnansweredAssemblies.Count == 0, "unanswered: " + string.Join(", ", recorder.UnansweredAssemblies)));
            checks.Run("the version mismatches were asked and answered (the resolver's rule, under the strict loader)", () =>
                Expect(recorder.Requests.Any(r => r.Name.StartsWith("System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1", StringComparison.Ordinal)), "no request for Unsafe 4.0.4.1: is the loader strict?"));
            checks.Run("control: an exact-version-only resolver fails on Unsafe 4.0.4.1, so the checks above can fail", () => RunControl(moduleDirectory));

            var strict = (Environment.GetEnvironmentVariable("MONO_ENV_OPTIONS") ?? string.Empty).Contains("--assembly-loader=strict");
            Console.WriteLine($"netfx: {checks.Passed} passed, {checks.Failed} failed ({(strict ? "mono strict loader" : "loader mode not set by MONO_ENV_OPTIONS")})");
            return checks.Failed == 0 ? 0 : 1;
        }

        private static void RunControl(string moduleDirectory)
        {
            var self = Assembly.GetEntryAssembly()!.Location;
            var start = new ProcessStartInfo("mono", $"--assembly-loader=strict \"{self}\" {ExactVersionControl.Mode} \"{moduleDirectory}\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            };
            using (var child = Process.Start(start)!)
            {
                var output = child.StandardOutput.ReadToEnd();
                Expect(child.WaitForExit(120_000), "the control did not end");
                foreach (var line in output.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    Console.WriteLine("    " + line.TrimEnd());
                }

                Expect(child.ExitCode == 0, "the control did not fail as it must");
                Expect(output.Contains("unanswered resolve: System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1"), "the control's failure was not the unanswered Unsafe 4.0.4.1 request");
            }
        }
    }
}
