using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Threading;

namespace Caxton.Bench
{
    /// <summary>
    /// Records each method the JIT compiles in this process, from the runtime's own events (keyword 0x10,
    /// JIT, at verbose level: MethodLoadVerbose), so a benchmark can say in which assembly the compiled
    /// code lives and whether that assembly was loaded as a ReadyToRun (precompiled) image.
    /// </summary>
    public sealed class JitListener : EventListener
    {
        private const EventKeywords JitKeyword = (EventKeywords)0x10;

        // Filled from the runtime's event thread; created before the base constructor can call back.
        private static readonly ConcurrentQueue<JitEvent> Events = new ConcurrentQueue<JitEvent>();

        // The runtime delivers its events late, in batches, on a thread of its own: each is put under the
        // step that was under way when the event was raised, by its time stamp.
        private readonly List<(DateTime Start, string Name)> steps = new List<(DateTime Start, string Name)> { (DateTime.MinValue, "(before the first step)") };

        /// <summary>The methods compiled from now on count under this step.</summary>
        public string Step
        {
            get { lock (steps) { return steps[steps.Count - 1].Name; } }
            set { lock (steps) { steps.Add((DateTime.UtcNow, value)); } }
        }

        private string StepAt(DateTime time)
        {
            lock (steps)
            {
                for (var index = steps.Count - 1; index > 0; index--)
                {
                    if (steps[index].Start <= time)
                    {
                        return steps[index].Name;
                    }
                }

                return steps[0].Name;
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is null || !eventData.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) || eventData.Payload is null)
            {
                return;
            }

            var names = eventData.PayloadNames!;
            object? Field(string name)
            {
                var index = names.IndexOf(name);
                return index < 0 ? null : eventData.Payload[index];
            }

            var flags = Convert.ToInt64(Field("MethodFlags") ?? 0L);
            Events.Enqueue(new JitEvent(eventData.TimeStamp.ToUniversalTime(), (string?)Field("MethodNamespace") ?? string.Empty, (string?)Field("MethodName") ?? string.Empty, flags));
        }

        /// <summary>Each compiled method seen so far, with the assembly it belongs to resolved by its type's name.</summary>
        public IReadOnlyList<JitMethod> Methods()
        {
            var assemblies = AppDomain.CurrentDomain.GetAssemblies();
            var byType = new Dictionary<string, Assembly?>(StringComparer.Ordinal);
            var result = new List<JitMethod>();
            foreach (var jit in Events.ToArray())
            {
                // MethodLoadVerbose fires for precompiled code too; only what the JIT compiled counts here.
                if ((jit.Flags & 0x8) == 0)
                {
                    continue;
                }

                result.Add(new JitMethod(StepAt(jit.Time), AssemblyOf(jit.TypeName), jit.TypeName + "." + jit.MethodName, Tier(jit.Flags), (jit.Flags & 0x40) != 0));
            }

            return result;

            string AssemblyOf(string typeName)
            {
                if ((typeName.Length == 0) || typeName.StartsWith("dynamicClass", StringComparison.Ordinal))
                {
                    return "(dynamic methods: compiled expression trees, emitted IL)";
                }

                if (typeName.StartsWith("ILStubClass", StringComparison.Ordinal))
                {
                    return "(IL stubs: interop and delegate marshalling)";
                }

                var plain = typeName;
                var bracket = plain.IndexOf('[');
                if (bracket > 0)
                {
                    plain = plain.Substring(0, bracket);
                }

                if (!byType.TryGetValue(plain, out var assembly))
                {
                    assembly = assemblies.FirstOrDefault(candidate => !candidate.IsDynamic && candidate.GetType(plain, false) != null);
                    byType[plain] = assembly;
                }

                if (assembly is null)
                {
                    return "(type not found: " + (plain.Contains('.') ? plain.Substring(0, plain.LastIndexOf('.')) : plain) + ")";
                }

                return assembly.GetName().Name + (IsReadyToRun(assembly) ? " [R2R]" : " [IL]");
            }
        }

        private static readonly ConcurrentDictionary<Assembly, bool> ReadyToRun = new ConcurrentDictionary<Assembly, bool>();

        /// <summary>Whether the file the assembly was loaded from carries precompiled code (a ReadyToRun header).</summary>
        public static bool IsReadyToRun(Assembly assembly) => ReadyToRun.GetOrAdd(assembly, candidate =>
        {
            if (candidate.IsDynamic || string.IsNullOrEmpty(candidate.Location) || !File.Exists(candidate.Location))
            {
                return false;
            }

            using (var stream = File.OpenRead(candidate.Location))
            using (var reader = new PEReader(stream))
            {
                return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
            }
        });

        // MethodFlags bits 7-9: the optimization tier the runtime chose.
        private static string Tier(long flags) => ((flags >> 7) & 0x7) switch
        {
            1 => "minopts",
            2 => "optimized",
            3 => "tier0",
            4 => "tier1",
            5 => "r2r",
            7 => "tier0-instrumented",
            _ => "other",
        };

        private readonly struct JitEvent
        {
            public JitEvent(DateTime time, string typeName, string methodName, long flags)
            {
                Time = time;
                TypeName = typeName;
                MethodName = methodName;
                Flags = flags;
            }

            public DateTime Time { get; }

            public string TypeName { get; }

            public string MethodName { get; }

            public long Flags { get; }
        }
    }
}
