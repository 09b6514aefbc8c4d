using System;
using System.Management.Automation;
using System.Reflection;

namespace Caxton.Requirements
{
    /// <summary>
    /// The getters of the CodeProperties in Caxton.types.ps1xml: a connection's Credential and IsDefault.
    /// CodeProperties rather than ScriptProperties because in ConstrainedLanguage a script may not call
    /// Caxton's methods, so a ScriptProperty would read as $null there. PowerShell resolves a
    /// CodeProperty's type when it loads the types file, before Caxton.dll is loaded; this assembly loads
    /// first (the manifest's RequiredAssemblies) and, on the first read, binds to the getters in
    /// Caxton.dll (Caxton.Commands.CaxtonTypeExtensions), which by then is loaded: only its objects have
    /// these properties.
    /// </summary>
    public static class CaxtonTypeMembers
    {
        private static Func<object, PSCredential?>? connectionCredential;
        private static Func<object, bool>? isDefault;

        public static PSCredential? GetConnectionCredential(PSObject instance) =>
            (connectionCredential ??= Bind<Func<object, PSCredential?>>("GetConnectionCredential"))(instance);

        public static bool GetIsDefault(PSObject instance) =>
            (isDefault ??= Bind<Func<object, bool>>("GetIsDefault"))(instance);

        private static T Bind<T>(string name)
            where T : Delegate
        {
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.GetName().Name == "Caxton" && assembly.GetType("Caxton.Commands.CaxtonTypeExtensions") is Type extensions)
                {
                    return (T)Delegate.CreateDelegate(typeof(T), extensions.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!);
                }
            }

            throw new InvalidOperationException("Caxton.dll is not loaded: import the Caxton module.");
        }
    }
}
