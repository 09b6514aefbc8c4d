using System;
using System.Security;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>A client password from Generate Password. The password itself stays a SecureString.</summary>
    public sealed class CaxtonClientPassword
    {
        internal CaxtonClientPassword(string username, string clientname, SecureString clientPassword, ApiModel model)
        {
            Username = username;
            Clientname = clientname;
            ClientPassword = clientPassword;
            StartDate = model.GetDate("StartDate");
            EndDate = model.GetDate("EndDate");
            PublicKey = model.GetString("PublicKey");
            ApiStatusCode = model.Status.Code;
            ApiStatus = model.Status.Name;
            ApiStatusDescription = model.Status.Description;
        }

        public string Username { get; }

        public string Clientname { get; }

        public SecureString ClientPassword { get; }

        public DateTimeOffset? StartDate { get; }

        public DateTimeOffset? EndDate { get; }

        /// <summary>Returned by Caxton; the docs do not say what it is for, so the module only shows it.</summary>
        public string? PublicKey { get; }

        public int? ApiStatusCode { get; }

        public string? ApiStatus { get; }

        public string? ApiStatusDescription { get; }

        public override string ToString() => $"Client password for {Username} valid until {EndDate:u}";
    }

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

    /// <summary>The outcome of Reset Client Credentials.</summary>
    public sealed class CaxtonCredentialReset
    {
        internal CaxtonCredentialReset(string username, string clientname, string? identityNumber, ApiModel model, DateTimeOffset resetOn)
        {
            Username = username;
            Clientname = clientname;
            IdentityNumber = identityNumber;
            ApiStatusCode = model.Status.Code;
            ApiStatus = model.Status.Name;
            ApiStatusDescription = model.Status.Description;
            ResetOn = resetOn;
        }

        public string Username { get; }

        public string Clientname { get; }

        /// <summary>The sub-account whose credentials were reset; empty for the main account.</summary>
        public string? IdentityNumber { get; }

        public string Account => IdentityNumber is null ? "Main" : "Sub-account";

        public int? ApiStatusCode { get; }

        public string? ApiStatus { get; }

        public string? ApiStatusDescription { get; }

        public DateTimeOffset ResetOn { get; }

        public override string ToString() => $"Credentials of {Username}{(IdentityNumber is null ? string.Empty : " sub-account " + IdentityNumber)} reset";
    }
}
