using System;
using System.Security;

namespace Caxton
{
    /// <summary>A Username and its ClientPassword as a connection holds them: read-only, never plain text.</summary>
    internal sealed class ClientCredential
    {
        public ClientCredential(string username, SecureString clientPassword, DateTimeOffset? passwordExpiresOn)
        {
            Username = username;
            ClientPassword = Secrets.ReadOnlyCopy(clientPassword);
            PasswordExpiresOn = passwordExpiresOn;
        }

        public string Username { get; }

        public SecureString ClientPassword { get; }

        public DateTimeOffset? PasswordExpiresOn { get; }

        public const string UsernameVariable = "CAXTON_USERNAME";
        public const string ClientPasswordVariable = "CAXTON_CLIENTPASSWORD";

        /// <summary>
        /// CAXTON_USERNAME and CAXTON_CLIENTPASSWORD, for CI and containers; null when neither is set.
        /// One without the other fails naming the missing variable.
        /// </summary>
        public static ClientCredential? FromEnvironmentVariables()
        {
            var username = Environment.GetEnvironmentVariable(UsernameVariable);
            var password = Environment.GetEnvironmentVariable(ClientPasswordVariable);
            var hasUsername = !string.IsNullOrWhiteSpace(username);
            var hasPassword = !string.IsNullOrEmpty(password);
            if (hasUsername != hasPassword)
            {
                var (set, missing) = hasUsername ? (UsernameVariable, ClientPasswordVariable) : (ClientPasswordVariable, UsernameVariable);
                throw new CaxtonException(
                    CaxtonErrorIds.NoClientCredential,
                    CaxtonErrorKind.InvalidOperation,
                    $"The environment variable {set} is set but {missing} is not, so no client credential can be read from them.")
                {
                    RecommendedAction = $"Set {missing} as well (or remove {set}), or give the credential with Connect-Caxton -Credential or Get-CaxtonToken -Credential.",
                };
            }

            if (!hasUsername)
            {
                return null;
            }

            return new ClientCredential(username!.Trim(), Secrets.ToSecureString(password!), null);
        }

        /// <summary>The same credential with an expiry learned later (a piped password's EndDate).</summary>
        public ClientCredential WithExpiry(DateTimeOffset passwordExpiresOn) =>
            new ClientCredential(Username, ClientPassword, passwordExpiresOn);

        public bool SameAs(ClientCredential other) => SameAs(other.Username, other.ClientPassword);

        public bool SameAs(string username, SecureString clientPassword) =>
            string.Equals(Username, username, StringComparison.Ordinal)
            && Secrets.ConstantTimeEquals(ClientPassword, clientPassword);
    }
}
