using System;
using System.Security;

namespace Caxton
{
    /// <summary>A bearer token from Get Access Token.</summary>
    public sealed class CaxtonToken
    {
        internal CaxtonToken(string username, SecureString accessToken, string tokenType, long expiresIn, DateTimeOffset issuedOn)
        {
            Username = username;
            AccessToken = accessToken;
            TokenType = tokenType;
            ExpiresIn = expiresIn;
            IssuedOn = issuedOn;
            ExpiresOn = issuedOn.AddSeconds(expiresIn);
        }

        public string Username { get; }

        public SecureString AccessToken { get; }

        public string TokenType { get; }

        /// <summary>Lifetime in seconds as the server gave it.</summary>
        public long ExpiresIn { get; }

        /// <summary>When the response arrived; ExpiresOn counts from here.</summary>
        public DateTimeOffset IssuedOn { get; }

        public DateTimeOffset ExpiresOn { get; }

        public override string ToString() => $"{TokenType} token for {Username} valid until {ExpiresOn:u}";

        /// <summary>The same token with its own SecureString: what a caller gets, so disposing it leaves the cache intact.</summary>
        public CaxtonToken CopyForCaller() => new CaxtonToken(Username, Secrets.ReadOnlyCopy(AccessToken), TokenType, ExpiresIn, IssuedOn);
    }
}
