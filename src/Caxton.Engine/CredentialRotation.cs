using System;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>
    /// Caxton's "Reset Password" procedure as one operation (Reset-CaxtonCredential -Regenerate): reset
    /// the account, generate its new password, get that password's token. Run in two parts, so the
    /// caller can hand the new password on before its token is asked for: whatever fails, the user ends
    /// with the old working credential (the reset failed), the new one in hand (the token failed), or
    /// an error naming the one command that finishes the job (generating failed after the reset).
    /// </summary>
    public sealed class CredentialRotation
    {
        private readonly CaxtonConnection connection;
        private readonly Func<string, string> quote;

        /// <param name="username">The main account's Username: it makes the reset, as for a plain reset.</param>
        /// <param name="clientname">The main account's Clientname.</param>
        /// <param name="identityNumber">The sub-account to rotate; null for the main account.</param>
        /// <param name="subAccountUsername">The sub-account's own Username, for which its new password is generated.</param>
        /// <param name="subAccountClientname">The sub-account's own Clientname.</param>
        /// <param name="quoteLiteral">
        /// How a value becomes a single-quoted PowerShell literal in the commands this rotation suggests:
        /// the cmdlet passes PowerShell's own (CodeGeneration.EscapeSingleQuotedStringContent), which knows
        /// every character its parser takes for a single quote. Without it, <see cref="CommandText.SingleQuoted"/>, the same rule.
        /// </param>
        public CredentialRotation(CaxtonConnection connection, string username, string clientname, string? identityNumber, string? subAccountUsername, string? subAccountClientname, Func<string, string>? quoteLiteral = null)
        {
            quote = quoteLiteral ?? CommandText.SingleQuoted;
            if (identityNumber != null && (string.IsNullOrEmpty(subAccountUsername) || string.IsNullOrEmpty(subAccountClientname)))
            {
                throw new CaxtonException(
                    CaxtonErrorIds.SubAccountNamesRequired,
                    CaxtonErrorKind.InvalidArgument,
                    "Rotating a sub-account's password needs the sub-account's own Username and Clientname (-SubAccountUsername, -SubAccountClientname): its new password is generated for them.");
            }

            this.connection = connection;
            Username = username;
            Clientname = clientname;
            IdentityNumber = identityNumber;
            PasswordUsername = identityNumber is null ? username : subAccountUsername!;
            PasswordClientname = identityNumber is null ? clientname : subAccountClientname!;
        }

        public string Username { get; }

        public string Clientname { get; }

        public string? IdentityNumber { get; }

        /// <summary>Whose new password it is: the main account, or the sub-account's own Username.</summary>
        public string PasswordUsername { get; }

        public string PasswordClientname { get; }

        public bool IsSubAccount => IdentityNumber != null;

        /// <summary>What the rotation does, step by step, for -WhatIf and the confirmation prompt.</summary>
        public string Steps =>
            $"Reset the client credentials (the current client password of '{PasswordUsername}' stops working), generate a new client password for '{PasswordUsername}' ({PasswordClientname}), and get its token";

        /// <summary>The one command that finishes a rotation whose reset went through: generate, then get the token.</summary>
        public string FinishCommand =>
            $"New-CaxtonPassword -Username {Quote(PasswordUsername)} -Clientname {Quote(PasswordClientname)} | Get-CaxtonToken";

        /// <summary>The command that runs the whole rotation again.</summary>
        public string RerunCommand =>
            $"Reset-CaxtonCredential -Username {Quote(Username)} -Clientname {Quote(Clientname)}"
            + (IdentityNumber is null ? string.Empty : $" -IdentityNumber {Quote(IdentityNumber)} -SubAccountUsername {Quote(PasswordUsername)} -SubAccountClientname {Quote(PasswordClientname)}")
            + " -Regenerate";

        /// <summary>
        /// Steps 1 and 2. A failed reset is reported as it is: nothing else was done, the old password
        /// still works. A failed generate after the reset becomes RegenerateIncomplete.
        /// </summary>
        public async Task<CaxtonClientPassword> ResetAndGenerateAsync(ICaxtonLog log, CancellationToken cancellationToken)
        {
            await connection.ResetCredentialAsync(Username, Clientname, IdentityNumber, log, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Credentials reset for '{PasswordUsername}'; generating its new client password.");
            try
            {
                try
                {
                    return await GenerateAsync(log, cancellationToken).ConfigureAwait(false);
                }
                catch (CaxtonException first) when (MayHaveActed(first))
                {
                    // The transport repeats Generate Password only when the server surely did not act. After
                    // our own reset no password is active, so one more request cannot create a second one
                    // beside it: either it generates the password, or Caxton says one was already generated
                    // (the first answer was lost), which is reported, never retried blindly.
                    log.Verbose($"{CaxtonRequests.GeneratePassword} may have reached Caxton ({first.ErrorId}); after the reset it is safe to ask once more.");
                    return await GenerateAsync(log, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                log.Warning($"Stopped after the credentials of '{PasswordUsername}' were reset: its old password no longer works. Finish with: {RerunCommand}");
                throw;
            }
            catch (CaxtonException exception)
            {
                throw Incomplete(exception);
            }
        }

        // A sub-account's password is not held: the connection stays the main account's, which resets
        // sub-accounts, so a runbook can rotate several in turn.
        private Task<CaxtonClientPassword> GenerateAsync(ICaxtonLog log, CancellationToken cancellationToken) =>
            connection.NewClientPasswordAsync(PasswordUsername, PasswordClientname, hold: !IsSubAccount, log, cancellationToken);

        /// <summary>
        /// Whether the server may have generated a password although we got no password back: anything
        /// but a refusal (HTTP 4xx, 503) or a failure already known to be "already generated".
        /// </summary>
        private static bool MayHaveActed(CaxtonException failure)
        {
            if (failure.Kind == CaxtonErrorKind.ResourceExists || failure.Kind == CaxtonErrorKind.InvalidArgument)
            {
                return false;
            }

            if (failure.HttpStatus is int status)
            {
                var refused = (status >= 400 && status < 500 && status != 408) || status == 503;
                return !refused;
            }

            // No answer at all (a dropped connection, a timeout), or one that could not be read.
            return true;
        }

        /// <summary>
        /// Step 3, after the caller has the new password in hand. For the main account the connection
        /// holds the new credential and now its token; a sub-account's token only proves its password.
        /// </summary>
        public async Task<CaxtonToken> GetTokenAsync(CaxtonClientPassword password, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var credential = new ClientCredential(password.Username, password.ClientPassword, password.EndDate);
            try
            {
                return IsSubAccount
                    ? await connection.ProveCredentialAsync(credential, log, cancellationToken).ConfigureAwait(false)
                    : await connection.GetTokenAsync(credential, force: true, log, cancellationToken).ConfigureAwait(false);
            }
            catch (CaxtonException exception)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.RegenerateTokenFailed,
                    exception.Kind,
                    $"The new client password of '{PasswordUsername}' was generated and written to the output (valid until {password.EndDate:u}), but its token request failed: {exception.Message}",
                    exception)
                {
                    RecommendedAction = $"Store the new password now (its Credential property); then get its token: Get-CaxtonToken -Credential <the stored credential>{(IsSubAccount ? string.Empty : ", or just Get-CaxtonToken: the connection holds it")}.",
                };
            }
        }

        private CaxtonException Incomplete(CaxtonException cause)
        {
            if (cause.Kind == CaxtonErrorKind.ResourceExists)
            {
                // A password was generated after our reset, yet we never saw it: our request's answer was
                // lost on the way back, or another process generated one. Nobody here can fetch it again.
                return new CaxtonException(
                    CaxtonErrorIds.RegenerateIncomplete,
                    cause.Kind,
                    $"The credentials of '{PasswordUsername}' were reset, but Caxton says a new password was already generated since then: the answer to this command's request was lost, or another process generated one, and it cannot be fetched again. If no other process rotates this account, finish with: {RerunCommand}",
                    cause)
                {
                    RecommendedAction = $"If no other process rotates this account, run the rotation again: {RerunCommand}",
                };
            }

            // When Caxton may have generated a password we never saw, New-CaxtonPassword alone could be
            // refused as "already generated": only a rotation from the reset surely finishes the job.
            var finish = MayHaveActed(cause) ? RerunCommand : FinishCommand;
            return new CaxtonException(
                CaxtonErrorIds.RegenerateIncomplete,
                cause.Kind,
                $"The credentials of '{PasswordUsername}' were reset (its old password no longer works), but generating the new password failed: {cause.Message.TrimEnd('.')}. Finish with: {finish}",
                cause)
            {
                RecommendedAction = $"Finish the job with: {finish}",
            };
        }

        private string Quote(string value) => quote(value);
    }
}
