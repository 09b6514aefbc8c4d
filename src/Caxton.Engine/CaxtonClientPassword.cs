using System;
using System.Security;
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
}
