using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton.Commands
{
    /// <summary>
    /// Carries engine messages from worker threads to the pipeline thread, the only thread allowed to
    /// call WriteVerbose and friends, while the cmdlet waits for the engine's task.
    /// </summary>
    internal sealed class PipelineLog : ICaxtonLog
    {
        private readonly ConcurrentQueue<Action<Cmdlet>> messages = new ConcurrentQueue<Action<Cmdlet>>();
        private readonly SemaphoreSlim posted = new SemaphoreSlim(0);

        public PipelineLog(bool verbose, bool debug)
        {
            IsVerboseEnabled = verbose;
            IsDebugEnabled = debug;
        }

        public bool IsVerboseEnabled { get; }

        public bool IsDebugEnabled { get; }

        public void Verbose(string message)
        {
            if (IsVerboseEnabled)
            {
                Post(cmdlet => cmdlet.WriteVerbose(message));
            }
        }

        public void Warning(string message) => Post(cmdlet => cmdlet.WriteWarning(message));

        public void Debug(string message)
        {
            if (IsDebugEnabled)
            {
                Post(cmdlet => cmdlet.WriteDebug(message));
            }
        }

        /// <summary>Writes messages as they come until the task ends, then returns its result.</summary>
        public T Drain<T>(Task<T> task, Cmdlet cmdlet)
        {
            if (!task.IsCompleted)
            {
                // Wake the pipeline thread when the task ends, as well as for each message.
                task.ContinueWith((_, state) => ((SemaphoreSlim)state!).Release(), posted, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                while (!task.IsCompleted)
                {
                    posted.Wait();
                    WritePending(cmdlet);
                }
            }

            WritePending(cmdlet);
            return task.GetAwaiter().GetResult();
        }

        private void WritePending(Cmdlet cmdlet)
        {
            while (messages.TryDequeue(out var write))
            {
                write(cmdlet);
            }
        }

        // A shared token request may outlive the cmdlet that started it; its late messages are never written.
        private void Post(Action<Cmdlet> write)
        {
            messages.Enqueue(write);
            posted.Release();
        }
    }
}
