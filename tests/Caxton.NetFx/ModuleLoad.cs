using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Caxton.NetFx
{
    /// <summary>What Windows PowerShell 5.1's Import-Module does with a binary module, step by step.</summary>
    internal sealed class ModuleLoad
    {
        private readonly string moduleDirectory;
        private IModuleAssemblyInitializer? initializer;

        public ModuleLoad(string moduleDirectory)
        {
            this.moduleDirectory = moduleDirectory;
        }

        public Assembly? Module { get; private set; }

        public IReadOnlyList<Type> ExportedTypes { get; private set; } = Array.Empty<Type>();

        public IReadOnlyList<Type> Cmdlets { get; private set; } = Array.Empty<Type>();

        /// <summary>5.1 loads the RootModule with LoadFrom, from the module folder.</summary>
        public void LoadFrom() => Module = Assembly.LoadFrom(Path.Combine(moduleDirectory, "Caxton.dll"));

        /// <summary>5.1 reads only the exported types before running the initializer.</summary>
        public void ReadExportedTypes() => ExportedTypes = Module!.ExportedTypes.ToList();

        /// <summary>
        /// 5.1 runs OnImport of the exported type that implements IModuleAssemblyInitializer, testing each
        /// exported type with IsAssignableFrom. .NET Framework can do that before the engine is loadable, as it
        /// does not load the types of reference-type fields; Mono does, and remembers the failure for good. So
        /// the initializer is taken by name here, and <see cref="InitializerIsTheOnlyOne"/> checks after the
        /// import that it is the one 5.1 would have found.
        /// </summary>
        public void RunOnImport()
        {
            var type = ExportedTypes.Single(t => t.Name == "ModuleInitializer");
            initializer = (IModuleAssemblyInitializer)Activator.CreateInstance(type)!;
            initializer.OnImport();
        }

        public bool InitializerIsTheOnlyOne() =>
            ExportedTypes.Where(t => typeof(IModuleAssemblyInitializer).IsAssignableFrom(t) && !t.IsAbstract).SequenceEqual(new[] { initializer!.GetType() });

        /// <summary>
        /// Then the cmdlet scan: CmdletAttribute, and every parameter's type and attributes, as the binder's
        /// metadata cache reads them (this is where the engine's types are first needed).
        /// </summary>
        public IReadOnlyList<string> ScanCmdlets()
        {
            Cmdlets = ExportedTypes.Where(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Length > 0).ToList();
            var names = new List<string>();
            foreach (var cmdlet in Cmdlets)
            {
                // The stand-in's attribute bodies are empty: read the verb and noun from the metadata instead.
                var attribute = cmdlet.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute));
                names.Add(attribute.ConstructorArguments[0].Value + "-" + attribute.ConstructorArguments[1].Value);
                _ = cmdlet.GetCustomAttributes(true);
                foreach (var property in cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    var attributes = property.GetCustomAttributes(true);
                    if (attributes.OfType<ParameterAttribute>().Any())
                    {
                        _ = property.PropertyType.FullName;
                        _ = property.PropertyType.GetMembers();
                    }
                }
            }

            return names;
        }

        /// <summary>The cmdlets the manifest exports, read from Caxton.psd1's CmdletsToExport.</summary>
        public IReadOnlyList<string> ManifestCmdlets()
        {
            var manifest = File.ReadAllText(Path.Combine(moduleDirectory, "Caxton.psd1"));
            var list = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
            return Regex.Matches(list, @"'([^']+)'").Cast<Match>().Select(m => m.Groups[1].Value).ToList();
        }

        /// <summary>The engine assembly, found the way PowerShell meets it: through a cmdlet parameter's type.</summary>
        public Assembly EngineAssembly() =>
            Cmdlets.SelectMany(c => c.GetProperties()).Select(p => p.PropertyType).First(t => t.FullName == "Caxton.CaxtonConnection").Assembly;

        public void RunOnRemove() => ((IModuleAssemblyCleanup)initializer!).OnRemove(null);
    }
}
