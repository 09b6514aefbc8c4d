using System;
using System.IO;
using System.Linq;
using System.Reflection;
using static Caxton.NetFx.Checks;

namespace Caxton.NetFx
{
    /// <summary>
    /// Caxton's AssemblyResolve handler answers only Caxton's requests: asked directly, with the requesting
    /// assembly .NET Framework gives it, for names Caxton ships.
    /// </summary>
    internal static class ResolverScope
    {
        public static void Run(Checks checks, Assembly module, string moduleDirectory)
        {
            var resolve = module.GetType("Caxton.Commands.FrameworkDependencies", true)!.GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static)!;
            Assembly? Ask(string name, Assembly? requester) => (Assembly?)resolve.Invoke(null, new object?[] { null, new ResolveEventArgs(name, requester) });
            var engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Caxton.Engine");
            var memory = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "System.Memory");
            const string Json = "System.Text.Json, Version=4.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51";
            const string Unsafe = "System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a";

            checks.Run("resolver scope: a request from Caxton's own assembly is answered from Dependencies", () =>
            {
                Expect(Ask(Json, engine)?.Location == Path.Combine(moduleDirectory, "Dependencies", "System.Text.Json.dll"), "Caxton.Engine's request was not answered");
                Expect(Ask(Unsafe, memory) != null, "System.Memory's (shipped) request was not answered");
            });
            checks.Run("resolver scope: another module's request for a name Caxton ships is left to that module", () =>
            {
                Expect(Ask(Json, typeof(ResolverScope).Assembly) == null, "answered System.Text.Json for another module");
                Expect(Ask(Unsafe, typeof(ResolverScope).Assembly) == null, "answered Unsafe for another module");
            });
            checks.Run("resolver scope: a request with no requesting assembly is answered for Caxton's own names only", () =>
            {
                Expect(Ask("Caxton.Engine, Version=0.0.0.0", null) != null, "Caxton.Engine by name was not answered");
                Expect(Ask(Json, null) == null, "System.Text.Json by name was answered, whoever asked");
            });
        }
    }
}
