using System;
using System.Management.Automation;
using System.Reflection;

namespace Caxton.Requirements
{
    /// <summary>
    /// Stops the import on a .NET Framework older than 4.7.1 (no netstandard 2.0) with a message naming
    /// the requirement, instead of "Could not load file or assembly 'netstandard'" from Caxton.dll.
    /// </summary>
    public sealed class RequirementsCheck : IModuleAssemblyInitializer
    {
        public const string NetStandard = "netstandard, Version=2.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51";

        public void OnImport() => Check(IsNetFramework(), NetStandard);

        /// <summary>The check itself, with the runtime and the assembly name as parameters so tests can stand in for an old framework.</summary>
        public static void Check(bool netFramework, string netStandard)
        {
            if (!netFramework)
            {
                return;
            }

            try
            {
                Assembly.Load(netStandard);
            }
            catch (Exception exception)
            {
                throw new PlatformNotSupportedException(
                    "Caxton needs .NET Framework 4.7.2 or later on Windows PowerShell 5.1: this .NET Framework cannot load netstandard 2.0, which came with 4.7.1. Install .NET Framework 4.8, or use PowerShell 7.4 or later.",
                    exception);
            }
        }

        // .NET Framework (and Mono, which stands in for it) keep the core types in mscorlib; .NET in System.Private.CoreLib.
        private static bool IsNetFramework() => typeof(object).Assembly.GetName().Name == "mscorlib";
    }
}
