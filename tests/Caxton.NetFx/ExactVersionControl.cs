using System;
using System.IO;
using System.Reflection;

namespace Caxton.NetFx
{
    /// <summary>
    /// The control: the same dependencies with a resolver that accepts only the exact version asked for (as
    /// a naive 5.1 module would). Under the strict loader System.Memory's request for
    /// System.Runtime.CompilerServices.Unsafe 4.0.4.1 must then go unanswered and parsing JSON must fail:
    /// proof that this program's checks can fail, and that the loader is strict.
    /// Runs in a child process, so the main run's domain stays clean; exit code 0 means "failed as expected".
    /// </summary>
    internal static class ExactVersionControl
    {
        public const string Mode = "--exact-version-control";

        public static int Run(string moduleDirectory)
        {
            var dependencies = Path.Combine(moduleDirectory, "Dependencies");
            var recorder = new ResolveRecorder();
            recorder.AttachFirst();
            AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
            {
                var requested = new AssemblyName(args.Name);
                var path = Path.Combine(dependencies, requested.Name + ".dll");
                return File.Exists(path) && AssemblyName.GetAssemblyName(path).Version == requested.Version ? Assembly.LoadFrom(path) : null;
            };
            recorder.AttachLast();

            try
            {
                var json = Assembly.LoadFrom(Path.Combine(dependencies, "System.Text.Json.dll"));
                var document = json.GetType("System.Text.Json.JsonDocument", true)!;
                var options = Activator.CreateInstance(json.GetType("System.Text.Json.JsonDocumentOptions", true)!);
                document.GetMethod("Parse", new[] { typeof(string), options!.GetType() })!.Invoke(null, new[] { "{\"a\":[1,2,3]}", options });
                Console.WriteLine("control: JSON parsed with exact-version binding only; the loader accepted a version mismatch.");
                return 1;
            }
            catch (Exception e)
            {
                for (var inner = e; inner != null; inner = inner.InnerException)
                {
                    if (inner is FileNotFoundException || inner is FileLoadException)
                    {
                        Console.WriteLine($"control: {inner.GetType().Name}: {inner.Message}");
                    }
                }

                foreach (var name in recorder.Unanswered)
                {
                    Console.WriteLine($"control: unanswered resolve: {name}");
                }

                return 0;
            }
        }
    }
}
