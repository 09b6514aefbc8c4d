using System;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton.Commands
{
    /// <summary>
    /// What every Caxton cmdlet shares: a cancellation token per invocation (cancelled by Ctrl+C),
    /// running engine calls while relaying their messages, and turning failures into ErrorRecords.
    /// </summary>
    public abstract class CaxtonCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        protected CancellationToken CancellationToken => stopping.Token;

        public void Dispose()
        {
            stopping.Dispose();
            GC.SuppressFinalize(this);
        }

        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>Runs an engine call; its verbose and warning messages appear as they happen.</summary>
        protected T Invoke<T>(Func<ICaxtonLog, CancellationToken, Task<T>> call)
        {
            // Started on the pipeline thread: a call that completes at once (a cached token) costs no
            // thread hop; one that awaits I/O continues on the thread pool while this thread relays.
            var log = new PipelineLog(WouldWrite("Verbose", "VerbosePreference"), WouldWrite("Debug", "DebugPreference"));
            try
            {
                return log.Drain(call(log, stopping.Token), this);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private static readonly Type? CommandRuntimeType = typeof(PSObject).Assembly.GetType("System.Management.Automation.MshCommandRuntime");
        private static readonly PropertyInfo? RuntimeDebugPreference = CommandRuntimeType?.GetProperty("DebugPreference", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        private static readonly PropertyInfo? RuntimeVerbosePreference = CommandRuntimeType?.GetProperty("VerbosePreference", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        private static readonly PropertyInfo? RuntimeVerbose = CommandRuntimeType?.GetProperty("Verbose", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        /// <summary>Every cmdlet: -Debug must never make it ask a question (see <see cref="NeverInquireOnDebug"/>).</summary>
        protected override void BeginProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey("Debug") || Preference("DebugPreference") == ActionPreference.Inquire)
            {
                NeverInquireOnDebug();
            }
        }

        /// <summary>
        /// Under Inquire, every WriteDebug or WriteVerbose asks "Continue with this operation?". -Debug
        /// sets Inquire for debug lines on Windows PowerShell 5.1, and for verbose lines on PowerShell 7
        /// (when -Verbose is not given): an unattended runbook run with -Debug would wait for an answer
        /// forever. Our debug and verbose lines are a trace, never a question, so they show as Continue does.
        /// </summary>
        private void NeverInquireOnDebug()
        {
            if (CommandRuntimeType is null || !CommandRuntimeType.IsInstanceOfType(CommandRuntime))
            {
                return;
            }

            if (RuntimeDebugPreference is { CanWrite: true } && RuntimeDebugPreference.GetValue(CommandRuntime) is ActionPreference.Inquire)
            {
                RuntimeDebugPreference.SetValue(CommandRuntime, ActionPreference.Continue);
            }

            // Verbose has no settable preference: setting the -Verbose flag itself gives Continue.
            if (RuntimeVerbose is { CanWrite: true } && RuntimeVerbosePreference?.GetValue(CommandRuntime) is ActionPreference.Inquire)
            {
                RuntimeVerbose.SetValue(CommandRuntime, RuntimeVerbose.PropertyType == typeof(bool) ? (object)true : new SwitchParameter(true));
            }
        }

        /// <summary>
        /// The one failure path of every cmdlet, after PowerShell's WebRequestPSCmdlet.ProcessRecord: a
        /// CaxtonException becomes its ErrorRecord; anything else is a bug of ours and becomes
        /// UnexpectedError, written the same way as the cmdlet's other errors (terminating only for a
        /// cmdlet whose errors all are). PowerShell's own exceptions (a stopped pipeline, -ErrorAction
        /// Stop, an error further down the pipeline, a prompt refused by a non-interactive host) pass
        /// through untouched.
        /// </summary>
        protected void RunWithOneFailurePath(object? target, Action body, bool terminating = false)
        {
            ErrorRecord record;
            try
            {
                if (InjectedFault != null && InjectedFault == GetType().Name)
                {
                    throw new InvalidOperationException("A fault injected by the tests; its text must never be shown.");
                }

                body();
                return;
            }
            catch (Exception exception) when (exception is RuntimeException || exception is IContainsErrorRecord)
            {
                // PowerShell's own, with its own ErrorRecord: also the host's refusal to prompt under
                // -NonInteractive (a PSInvalidOperationException), shown as Remove-Item -Confirm shows it.
                throw;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception exception)
            {
                record = ToErrorRecord(exception, target);
            }

            if (terminating)
            {
                ThrowTerminatingError(record);
            }

            WriteError(record);
        }

        /// <summary>
        /// The tests set this (by reflection) to a cmdlet's type name to drive the UnexpectedError path;
        /// no user-facing API reaches it.
        /// </summary>
        internal static string? InjectedFault = null;

        /// <summary>One audit record (see <see cref="CaxtonAuditRecord"/>) on the Information stream, tagged CaxtonAudit.</summary>
        protected void WriteAudit(string action, CaxtonConnection connection, string username, string clientname, string? identityNumber, string outcome, string? requestId, DateTimeOffset? responseDate)
        {
            var record = new InformationRecord(new CaxtonAuditRecord(action, connection, username, clientname, identityNumber, outcome, requestId, responseDate), MyInvocation.MyCommand.Name);
            record.Tags.Add(CaxtonAuditRecord.Tag);
            WriteInformation(record);
        }

        /// <summary>
        /// Runs a state-changing engine call and writes its audit record, whatever the outcome: the
        /// answer's request id and Date on success, the failure's ErrorId and support reference otherwise.
        /// </summary>
        protected T Audited<T>(string action, CaxtonConnection connection, string username, string clientname, string? identityNumber, Func<T> call, Func<T, (string? RequestId, DateTimeOffset? Date)> reference)
        {
            T result;
            try
            {
                result = call();
            }
            catch (Exception exception)
            {
                var caxton = exception as CaxtonException;
                var outcome = caxton != null ? $"Failed ({caxton.ErrorId})" : exception is PipelineStoppedException ? "Stopped" : $"Failed ({CaxtonErrorIds.UnexpectedError})";
                WriteAuditSafely(action, connection, username, clientname, identityNumber, outcome, caxton?.RequestId, caxton?.ResponseDate);
                throw;
            }

            var (requestId, date) = reference(result);
            WriteAudit(action, connection, username, clientname, identityNumber, "Succeeded", requestId, date);
            return result;
        }

        /// <summary>After Ctrl+C the pipeline takes no more records: the audit line is then lost, never the error.</summary>
        protected void WriteAuditSafely(string action, CaxtonConnection connection, string username, string clientname, string? identityNumber, string outcome, string? requestId, DateTimeOffset? responseDate)
        {
            try
            {
                WriteAudit(action, connection, username, clientname, identityNumber, outcome, requestId, responseDate);
            }
            catch (PipelineStoppedException)
            {
            }
        }

        /// <summary>Writes a failure as a non-terminating ErrorRecord with its stable ErrorId.</summary>
        protected void WriteCaxtonError(Exception exception, object? target)
        {
            WriteError(ToErrorRecord(exception, target));
        }

        protected void ThrowCaxtonError(Exception exception, object? target)
        {
            ThrowTerminatingError(ToErrorRecord(exception, target));
        }

        /// <summary>
        /// A step whose failure ends the command even in a cmdlet whose other errors do not (a bad
        /// CAXTON_* variable leaves no connection to work with).
        /// </summary>
        protected T Terminating<T>(Func<T> step, object? target = null)
        {
            try
            {
                return step();
            }
            catch (CaxtonException exception)
            {
                ThrowCaxtonError(exception, target);
                throw; // not reached: ThrowTerminatingError throws
            }
        }

        /// <summary>
        /// -Force skips the confirmation prompt, but -WhatIf (bound or by preference) and an explicit
        /// -Confirm still win.
        /// </summary>
        protected bool ShouldProcessUnlessForced(bool force, string target, string action)
        {
            var bound = MyInvocation.BoundParameters;
            var whatIf = bound.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent : IsTrue(GetVariableValue("WhatIfPreference"));
            var confirm = bound.TryGetValue("Confirm", out var c) && ((SwitchParameter)c).IsPresent;
            if (force && !whatIf && !confirm)
            {
                return true;
            }

            try
            {
                return ShouldProcess(target, action);
            }
            catch (PSInvalidOperationException refused) when (!confirm && refused.ErrorRecord.ErrorDetails?.RecommendedAction is null)
            {
                // The host cannot ask (pwsh -NonInteractive, a scheduled job): PowerShell's own error, with the way out.
                refused.ErrorRecord.ErrorDetails = new ErrorDetails(refused.Message)
                {
                    RecommendedAction = "This host cannot ask for confirmation (pwsh -NonInteractive, a scheduled job): add -Force to go ahead without asking, or -WhatIf to see what would be done.",
                };
                throw;
            }
        }

        internal static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            if (exception is CaxtonException caxton)
            {
                var record = new ErrorRecord(caxton, caxton.ErrorId, CategoryOf(caxton.Kind), target);
                var reference = caxton.SupportReference;
                if (caxton.RecommendedAction != null || reference != null)
                {
                    // The response's Date and request id, for quoting to Caxton support, in the message users see.
                    var message = reference is null ? caxton.Message : $"{caxton.Message} (Caxton response: {reference}.)";
                    record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = caxton.RecommendedAction };
                }

                return record;
            }

            // A bug of ours: say so plainly rather than show a raw .NET exception, whose message or stack
            // could carry server text or a secret; so none of it is kept.
            var unexpected = $"Unexpected error in the Caxton module ({exception.GetType().Name}). Please report it.";
            return new ErrorRecord(new InvalidOperationException(unexpected), CaxtonErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target)
            {
                ErrorDetails = new ErrorDetails(unexpected) { RecommendedAction = CaxtonErrorIds.RecommendedActionFor(CaxtonErrorIds.UnexpectedError) },
            };
        }

        internal static ErrorCategory CategoryOf(CaxtonErrorKind kind)
        {
            switch (kind)
            {
                case CaxtonErrorKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case CaxtonErrorKind.Authentication: return ErrorCategory.AuthenticationError;
                case CaxtonErrorKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                case CaxtonErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                case CaxtonErrorKind.ResourceExists: return ErrorCategory.ResourceExists;
                case CaxtonErrorKind.InvalidResponse: return ErrorCategory.InvalidResult;
                case CaxtonErrorKind.ConnectionFailed: return ErrorCategory.ConnectionError;
                case CaxtonErrorKind.Timeout: return ErrorCategory.OperationTimeout;
                case CaxtonErrorKind.LimitsExceeded: return ErrorCategory.LimitsExceeded;
                case CaxtonErrorKind.ServiceUnavailable: return ErrorCategory.ResourceUnavailable;
                default: return ErrorCategory.InvalidOperation;
            }
        }

        /// <summary>Whether Write-Verbose or Write-Debug would show: -Verbose/-Debug, else the preference variable.</summary>
        private bool WouldWrite(string parameter, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var bound))
            {
                return IsTrue(bound);
            }

            var preference = Preference(preferenceVariable);
            return preference != null
                && preference != ActionPreference.SilentlyContinue
                && preference != ActionPreference.Ignore;
        }

        /// <summary>
        /// A preference variable as PowerShell reads it: a local <c>$VerbosePreference = 'Continue'</c>
        /// holds a string, not an ActionPreference. Null when it is unset or names no preference.
        /// </summary>
        private ActionPreference? Preference(string variable)
        {
            var value = GetVariableValue(variable);
            if (value is ActionPreference preference)
            {
                return preference;
            }

            return value != null && LanguagePrimitives.TryConvertTo(value, CultureInfo.InvariantCulture, out ActionPreference converted) ? converted : (ActionPreference?)null;
        }

        /// <summary>True as PowerShell judges it: $WhatIfPreference = 1 (or 'yes') is as true as $true.</summary>
        private static bool IsTrue(object? value) =>
            value is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(value);
    }
}
