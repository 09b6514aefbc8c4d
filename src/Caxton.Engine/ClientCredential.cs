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

        public bool SameAs(string username, SecureString clientPassword) =>
            string.Equals(Username, username, StringComparison.Ordinal)
            && Secrets.ConstantTimeEquals(ClientPassword, clientPassword);
    }
}
