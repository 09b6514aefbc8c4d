using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading.Tasks;

namespace Caxton.Commands
{
    /// <summary>
    /// Carries engine messages from worker threads to the pipeline thread, the only thread allowed to
    /// call WriteVerbose and friends, while the cmdlet waits for the engine's task.
    /// </summary>
    internal sealed class PipelineLog : ICaxtonLog, IDisposable
    {
        private readonly BlockingCollection<Action<Cmdlet>> messages = new BlockingCollection<Action<Cmdlet>>();

        public void Verbose(string message) => Post(cmdlet => cmdlet.WriteVerbose(message));

        public void Warning(string message) => Post(cmdlet => cmdlet.WriteWarning(message));

        public void Debug(string message) => Post(cmdlet => cmdlet.WriteDebug(message));

        /// <summary>Writes messages as they come until the task ends, then returns its result.</summary>
        public T Drain<T>(Task<T> task, Cmdlet cmdlet)
        {
            task.ContinueWith(_ => messages.CompleteAdding(), TaskScheduler.Default);
            foreach (var write in messages.GetConsumingEnumerable())
            {
                write(cmdlet);
            }

            return task.GetAwaiter().GetResult();
        }

        public void Dispose() => messages.Dispose();

        private void Post(Action<Cmdlet> write)
        {
            // A shared token request may outlive the cmdlet that started it; its late messages are dropped.
            try
            {
                messages.TryAdd(write);
            }
            catch (InvalidOperationException)
            {
                // Also covers ObjectDisposedException.
            }
        }
    }
}
