using System;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton.NetFx
{
    /// <summary>
    /// The engine as the cmdlets drive it, through its public surface (docs/ARCHITECTURE.md), reached by
    /// reflection: this program must not reference Caxton at compile time (it loads the built module like
    /// 5.1 does). Only the -Body serialiser check reaches an internal type.
    /// </summary>
    internal sealed class Engine
    {
        private const BindingFlags Any = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;
        private const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Static;
        private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);

        private readonly Assembly engine;
        private readonly object log;

        public Engine(Assembly engine)
        {
            this.engine = engine;
            log = Type("Caxton.NullLog").GetField("Instance", Any)!.GetValue(null)!;
        }

        public object NewConnection(Uri baseUri, TimeSpan timeout) =>
            Activator.CreateInstance(Type("Caxton.CaxtonConnection"), baseUri, "netfx", null, (TimeSpan?)timeout)!;

        /// <summary>A connection with -SkipCertificateCheck: it gets a handler of its own rather than the factory's.</summary>
        public object NewConnectionWithOwnHandler(Uri baseUri, TimeSpan timeout)
        {
            // An init-only property, as an object initializer would set it.
            var options = Activator.CreateInstance(Type("Caxton.CaxtonTransportOptions"))!;
            options.GetType().GetProperty("SkipCertificateCheck", Any)!.SetValue(options, true);
            return Activator.CreateInstance(Type("Caxton.CaxtonConnection"), baseUri, "netfx-own", null, (TimeSpan?)timeout, options)!;
        }

        public object NewClientPassword(object connection, string username, string clientname) =>
            Await(Call(connection, "NewClientPasswordAsync", username, clientname, log, CancellationToken.None));

        /// <summary>Get-CaxtonToken -Credential: a token for an explicit credential.</summary>
        public object GetToken(object connection, string username, string password, bool force) =>
            Await(Call(connection, "GetTokenAsync", username, Secure(password), null, force, log, CancellationToken.None));

        public object GetToken(object connection, bool force) =>
            Await(Call(connection, "GetTokenAsync", force, log, CancellationToken.None));

        /// <summary>Invoke-CaxtonRestMethod's call: what the cmdlet would output (Content.Model), as JSON text; a failure throws.</summary>
        public string? InvokeApi(object connection, string method, string path, object? body = null, string? identityNumber = null)
        {
            var model = Await(Call(connection, "InvokeApiAsync", method, path, body, "application/json", identityNumber, false, log, CancellationToken.None));
            return model?.ToString();
        }

        public object ResetCredential(object connection, string username, string clientname, string? identityNumber) =>
            Await(Call(connection, "ResetCredentialAsync", username, clientname, identityNumber, log, CancellationToken.None));

        /// <summary>The JSON bytes Invoke-CaxtonRestMethod sends for a -Body that is not a string.</summary>
        public byte[] SerializeBody(object? value) =>
            (byte[])Type("Caxton.Wire.RequestBody").GetMethod("Serialize", Internal | BindingFlags.Public)!.Invoke(null, new[] { value })!;

        public string Plain(SecureString secure) => (string)Type("Caxton.Secrets").GetMethod("ToPlainText", Any)!.Invoke(null, new object[] { secure })!;

        public SecureString Secure(string plain) => (SecureString)Type("Caxton.Secrets").GetMethod("ToSecureString", Any)!.Invoke(null, new object[] { plain })!;

        /// <summary>-AsHeader's value, as Get-CaxtonToken builds it.</summary>
        public string AuthorizationHeader(object token) =>
            (string)Type("Caxton.Secrets").GetMethod("AuthorizationHeader", Any)!.Invoke(null, new[] { Get(token, "AccessToken") })!;

        public static object? Get(object target, string property) => target.GetType().GetProperty(property, Any)!.GetValue(target);

        /// <summary>The ErrorId of the CaxtonException an engine call failed with, else null.</summary>
        public static string? ErrorIdOf(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e.GetType().FullName == "Caxton.CaxtonException")
                {
                    return (string?)Get(e, "ErrorId");
                }
            }

            return null;
        }

        private Type Type(string name) => engine.GetType(name, throwOnError: true)!;

        private static object Call(object target, string name, params object?[] arguments)
        {
            var method = target.GetType().GetMethods(Any).Single(m => m.Name == name && m.GetParameters().Length == arguments.Length);
            try
            {
                return method.Invoke(target, arguments)!;
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                throw e.InnerException;
            }
        }

        private static object Await(object task)
        {
            var running = (Task)task;
            try
            {
                if (!running.Wait(HangGuard))
                {
                    throw new TimeoutException($"The engine call did not end within {HangGuard.TotalSeconds} s: a hang.");
                }
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                throw e.InnerException!;
            }

            return running.GetType().GetProperty("Result")!.GetValue(running)!;
        }
    }
}
