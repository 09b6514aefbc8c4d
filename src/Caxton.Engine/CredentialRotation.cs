using System;
using System.Security;
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
        /// A scheduled rotation's first step, safe to run every day: whether to rotate now. It rotates
        /// when the password's expiry (given, or known to the connection) falls within
        /// <paramref name="within"/> or has passed, judged by Caxton's clock, or when Caxton rejects the
        /// stored credential (voided by an interrupted rotation, or expired). It sends one token request
        /// and nothing else. An unknown expiry is no reason to rotate (each run would void the password
        /// for every consumer): PasswordExpiryUnknown, unless <paramref name="rotateIfUnknown"/>.
        /// </summary>
        /// <param name="storedUsername">The stored credential's Username; null to use the one the connection holds.</param>
        public async Task<CaxtonRotationDecision> DecideAsync(string? storedUsername, SecureString? storedPassword, DateTimeOffset? expiresOn, TimeSpan within, bool rotateIfUnknown, ICaxtonLog log, CancellationToken cancellationToken)
        {
            ClientCredential stored;
            if (storedUsername != null && storedPassword != null)
            {
                stored = new ClientCredential(storedUsername, storedPassword, null);
            }
            else if (connection.HeldCredential is ClientCredential held && string.Equals(held.Username, PasswordUsername, StringComparison.Ordinal))
            {
                stored = new ClientCredential(held.Username, held.ClientPassword, null);
                expiresOn ??= held.PasswordExpiresOn;
            }
            else
            {
                throw new CaxtonException(
                    CaxtonErrorIds.NoClientCredential,
                    CaxtonErrorKind.InvalidArgument,
                    $"A scheduled rotation (-ExpiringWithin) first checks the stored credential of '{PasswordUsername}', and none was given: pass it with -Credential (Username and ClientPassword).");
            }

            if (!string.Equals(stored.Username, PasswordUsername, StringComparison.Ordinal))
            {
                throw new CaxtonException(
                    CaxtonErrorIds.CredentialAccountMismatch,
                    CaxtonErrorKind.InvalidArgument,
                    $"-Credential is for '{stored.Username}', but this rotation renews the password of '{PasswordUsername}'. Nothing was sent.");
            }

            if (expiresOn is null && connection.HeldCredential is ClientCredential known && known.SameAs(stored))
            {
                expiresOn = known.PasswordExpiresOn;
            }

            CaxtonToken token;
            try
            {
                token = await connection.CheckCredentialAsync(stored, log, cancellationToken).ConfigureAwait(false);
            }
            catch (CaxtonException rejected) when (rejected.ErrorId == CaxtonErrorIds.InvalidCredentials)
            {
                connection.LearnClock(rejected.ResponseDate, DateTimeOffset.UtcNow);
                StoredRejected = true;
                return CaxtonRotationDecision.Rotate($"Caxton rejected the stored credential of '{PasswordUsername}' (voided by an earlier rotation that did not finish, or expired): rotating.");
            }

            var now = connection.CaxtonNow;
            var clock = Tokens.TokenCache.ClockNote(connection.CaxtonClockOffset ?? TimeSpan.Zero);
            if (!IsSubAccount)
            {
                // The checked credential works: the connection holds it (and its EndDate) from now on.
                connection.Hold(new ClientCredential(stored.Username, stored.ClientPassword, expiresOn), token);
            }

            if (expiresOn is not DateTimeOffset end)
            {
                if (rotateIfUnknown)
                {
                    return CaxtonRotationDecision.Rotate($"The expiry of the client password of '{PasswordUsername}' is unknown and -RotateIfUnknown was given: rotating.");
                }

                throw new CaxtonException(
                    CaxtonErrorIds.PasswordExpiryUnknown,
                    CaxtonErrorKind.InvalidArgument,
                    $"The stored client password of '{PasswordUsername}' works, but its expiry is unknown, so -ExpiringWithin cannot judge it; rotating on every run would void the password for everyone who uses it. Nothing was changed.")
                {
                    RecommendedAction = "Give the password's EndDate with -ClientPasswordExpiresOn, kept beside the credential (the secret's metadata, or the automation asset's description; New-CaxtonPassword and -OnNewCredential give it as EndDate). Or add -RotateIfUnknown to rotate this once.",
                };
            }

            var left = end - now;
            if (left <= within)
            {
                return CaxtonRotationDecision.Rotate(left <= TimeSpan.Zero
                    ? $"The client password of '{PasswordUsername}' expired on {end:u}{clock}: rotating."
                    : $"The client password of '{PasswordUsername}' expires on {end:u}, within {within}{clock}: rotating.");
            }

            return CaxtonRotationDecision.Skip($"The client password of '{PasswordUsername}' works and expires on {end:u}, in {left.Days} days {left.Hours} hours{clock}: beyond -ExpiringWithin {within}, so nothing to rotate.");
        }

        /// <summary>Whether <see cref="DecideAsync"/> found the stored credential rejected by Caxton.</summary>
        public bool StoredRejected { get; private set; }

        /// <summary>
        /// Steps 1 and 2. A failed reset is reported as it is: nothing else was done, the old password
        /// still works. A failed generate after the reset becomes RegenerateIncomplete.
        /// </summary>
        public async Task<CaxtonClientPassword> ResetAndGenerateAsync(ICaxtonLog log, CancellationToken cancellationToken)
        {
            try
            {
                Reset = await connection.ResetCredentialAsync(Username, Clientname, IdentityNumber, log, cancellationToken).ConfigureAwait(false);
            }
            catch (CaxtonException refused) when (!IsSubAccount && refused.HttpStatus == 401 && StoredRejected)
            {
                // This Caxton resets a main account only with the account's own token, and the password
                // that would get one is expired or void: nobody holding only that password can act.
                throw new CaxtonException(
                    CaxtonErrorIds.MainPasswordExpired,
                    CaxtonErrorKind.PermissionDenied,
                    $"The client password of main account '{Username}' is expired or void (Caxton rejected it), and this Caxton resets a main account's credentials only with that account's own token (HTTP 401 without one). Neither this module nor anyone holding only that password can reset it: only Caxton can.",
                    refused)
                {
                    RecommendedAction = $"Ask Caxton support to reset the credentials of main account '{Username}' ({Clientname}), quoting the support reference; then run {FinishCommand} and store the new password.",
                    ResponseDate = refused.ResponseDate,
                    RequestId = refused.RequestId,
                    HttpStatus = refused.HttpStatus,
                };
            }

            await GeneratedAfterResetAsync(log, cancellationToken).ConfigureAwait(false);
            return Password!;
        }

        /// <summary>The reset's answer, once it succeeded (for the audit trail).</summary>
        public CaxtonCredentialReset? Reset { get; private set; }

        /// <summary>The new password, once generated; the connection keeps it as unclaimed until <see cref="Finish"/>.</summary>
        public CaxtonClientPassword? Password { get; private set; }

        /// <summary>The rotation ended with its password in the caller's hands: the connection lets go of it.</summary>
        public void Finish()
        {
            if (Password != null)
            {
                connection.Claimed(Password);
            }
        }

        private async Task GeneratedAfterResetAsync(ICaxtonLog log, CancellationToken cancellationToken)
        {
            Password = await GenerateAfterResetAsync(log, cancellationToken).ConfigureAwait(false);
            connection.HoldUnclaimed(Password);
        }

        private async Task<CaxtonClientPassword> GenerateAfterResetAsync(ICaxtonLog log, CancellationToken cancellationToken)
        {
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
                    $"The new client password of '{PasswordUsername}' was generated and written to the output (valid until {password.EndDate:u}), but its token request failed: {exception.Message} The password object is this error's TargetObject.",
                    exception)
                {
                    RecommendedAction = $"Store the new password now: $error[0].TargetObject is the password object (its Credential and EndDate); then get its token: Get-CaxtonToken -Credential <the stored credential>{(IsSubAccount ? string.Empty : ", or just Get-CaxtonToken: the connection holds it")}.",
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
