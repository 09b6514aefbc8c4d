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
    /// The engine as the cmdlets drive it, reached by reflection: its operations are internal today, and this
    /// program must not reference Caxton at compile time anyway (it loads the built module like 5.1 does).
    /// The one file to re-point when the engine's surface becomes public.
    /// </summary>
    internal sealed class Engine
    {
        private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
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
            var settings = Activator.CreateInstance(Type("Caxton.TransportSettings"), nonPublic: true)!;
            settings.GetType().GetProperty("SkipCertificateCheck", Any)!.SetValue(settings, true);
            var constructor = Type("Caxton.CaxtonConnection").GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single(c => c.GetParameters().LastOrDefault()?.ParameterType == settings.GetType());
            return constructor.Invoke(new object?[] { baseUri, "netfx-own", null, (TimeSpan?)timeout, settings });
        }

        public object NewClientPassword(object connection, string username, string clientname) =>
            Await(Call(connection, "NewClientPasswordAsync", username, clientname, log, CancellationToken.None));

        public void SetCredential(object connection, string username, string password) =>
            Call(connection, "SetCredential", username, Secure(password), null);

        public object GetToken(object connection, bool force) =>
            Await(Call(connection, "GetTokenAsync", force, log, CancellationToken.None));

        /// <summary>Invoke-CaxtonRestMethod's call: the response's status and what the cmdlet would output, as JSON text.</summary>
        public (int Status, string? Output) InvokeApi(object connection, string method, string path, byte[]? body = null, string? identityNumber = null)
        {
            var exchange = Await(Call(connection, "InvokeApiAsync", new HttpMethod(method), path, body, "application/json", identityNumber, log, CancellationToken.None));
            var status = (int)Get(exchange, "Status")!;
            var output = Type("Caxton.ResponseReader").GetMethod("ReadApiResponse", Any)!.Invoke(null, new object[] { exchange, false });
            return (status, output?.ToString());
        }

        public object ResetCredential(object connection, string username, string clientname, string? identityNumber) =>
            Await(Call(connection, "ResetCredentialAsync", username, clientname, identityNumber, log, CancellationToken.None));

        /// <summary>The JSON bytes Invoke-CaxtonRestMethod sends for a -Body that is not a string.</summary>
        public byte[] SerializeBody(object? value) =>
            (byte[])Type("Caxton.RequestBody").GetMethod("Serialize", Any)!.Invoke(null, new[] { value })!;

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
