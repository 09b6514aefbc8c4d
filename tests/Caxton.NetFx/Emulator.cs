using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;

namespace Caxton.NetFx
{
    /// <summary>
    /// The emulator (a .NET 10 program), started as src/Caxton.Emulator/CaxtonEmulator.psm1 starts it,
    /// and the few control calls this program makes: POST accounts, POST faults, DELETE faults.
    /// The ready file's first line is the base URI, its second the per-run key every control call sends
    /// as X-Emulator-Key (as Invoke-EmulatorControlRequest in CaxtonEmulator.psm1 does).
    /// </summary>
    internal sealed class Emulator : IDisposable
    {
        private readonly Process process;
        private readonly HttpClient control = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        private readonly Uri controlUri;

        public Emulator(string emulatorDll)
        {
            var ready = Path.Combine(Path.GetTempPath(), $"caxton-netfx-{Guid.NewGuid():N}.url");
            var start = new ProcessStartInfo("dotnet", $"\"{emulatorDll}\" --ready-file \"{ready}\" --quiet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(ready))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    Dispose();
                    throw new InvalidOperationException("The emulator did not start within 60 s.");
                }

                Thread.Sleep(50);
            }

            var lines = File.ReadAllLines(ready).Where(line => line.Trim().Length > 0).ToList();
            File.Delete(ready);
            BaseUri = new Uri(lines[0].Trim());
            controlUri = new Uri(BaseUri, "../_emulator/");
            if (lines.Count > 1)
            {
                control.DefaultRequestHeaders.TryAddWithoutValidation("X-Emulator-Key", lines[1].Trim());
            }
        }

        public Uri BaseUri { get; }

        /// <summary>A fresh account (and, with a parent, a sub-account of it); returns its Username.</summary>
        public string NewAccount(string clientname, string? identityNumber = null, string? parentUsername = null)
        {
            var username = "netfx-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            var members = new List<string> { Member("Username", username), Member("Clientname", clientname) };
            if (identityNumber != null)
            {
                members.Add(Member("IdentityNumber", identityNumber));
                members.Add(Member("ParentUsername", parentUsername!));
            }

            Send(HttpMethod.Post, "accounts", "{" + string.Join(",", members) + "}");
            return username;
        }

        /// <summary>Queues a fault for the next request to <paramref name="path"/> (after /api/); see FaultEndpoints.cs.</summary>
        public void AddFault(string path, string members) => Send(HttpMethod.Post, "faults", "{" + Member("Path", path) + "," + members + "}");

        public void ClearFaults() => Send(HttpMethod.Delete, "faults", null);

        public void Dispose()
        {
            control.Dispose();
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        private static string Member(string name, string value) => $"\"{name}\":\"{value}\"";

        private void Send(HttpMethod method, string path, string? json)
        {
            using (var request = new HttpRequestMessage(method, new Uri(controlUri, path)))
            {
                if (json != null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                using (var response = control.SendAsync(request).GetAwaiter().GetResult())
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"Emulator control {method} {path}: HTTP {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
                    }
                }
            }
        }
    }
}
