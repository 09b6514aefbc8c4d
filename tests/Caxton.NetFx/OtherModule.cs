using System;
using System.Collections.Concurrent;
using System.Reflection;

namespace Caxton.NetFx
{
    /// <summary>
    /// Another binary module imported before Caxton, with a process-wide resolver of its own that answers
    /// any name it ships, whoever asks: it "ships" System.Text.Json and System.Buffers (this program stands
    /// in for those files) and its own OtherModule.Engine. Caxton's requests for its engine and its
    /// System.Text.Json must never reach such a handler, and Caxton's handler must leave this module's
    /// requests alone.
    /// </summary>
    internal sealed class OtherModule
    {
        private static readonly string[] Shipped = { "System.Text.Json", "System.Buffers", "OtherModule.Engine" };

        private readonly ConcurrentQueue<string> answeredForOthers = new ConcurrentQueue<string>();

        /// <summary>Requests from someone else's assembly that this handler answered.</summary>
        public ConcurrentQueue<string> AnsweredForOthers => answeredForOthers;

        public void Attach() => AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
        {
            var name = new AssemblyName(args.Name).Name;
            if (Array.IndexOf(Shipped, name) < 0)
            {
                return null;
            }

            // This program never asks for these names itself: every answer here went to someone else.
            answeredForOthers.Enqueue($"{args.Name} (asked by {args.RequestingAssembly?.GetName().Name ?? "no assembly"})");

            return typeof(OtherModule).Assembly;
        };
    }
}
