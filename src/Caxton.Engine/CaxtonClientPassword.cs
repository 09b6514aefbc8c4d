using System;
using System.Security;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>A client password from Generate Password. The password itself stays a SecureString.</summary>
    public sealed class CaxtonClientPassword
    {
        /// <param name="plainPassword">The password as received: echoed in the model's other strings, it is masked there.</param>
        internal CaxtonClientPassword(string username, string clientname, SecureString clientPassword, ApiModel model, string? plainPassword = null)
        {
            Username = username;
            Clientname = clientname;
            ClientPassword = clientPassword;
            StartDate = model.GetDate("StartDate");
            EndDate = model.GetDate("EndDate");
            PublicKey = Masked(model.GetString("PublicKey"), plainPassword);
            ApiStatusCode = model.Status.Code;
            // Status text is diagnostic: the redactor's heuristics apply. The public key is data: only the
            // password itself is masked in it.
            ApiStatus = Diagnostic(model.Status.Name, plainPassword);
            ApiStatusDescription = Diagnostic(model.Status.Description, plainPassword);
        }

        private static string? Diagnostic(string? text, string? secret) =>
            text is null ? null : Transport.Redactor.Redact(text, secret is null ? null : new[] { secret });

        private static string? Masked(string? text, string? secret) =>
            text is null || string.IsNullOrEmpty(secret) || text.IndexOf(secret, StringComparison.Ordinal) < 0
                ? text
                : text.Replace(secret, Transport.Redactor.Mask);

        public string Username { get; }

        public string Clientname { get; }

        public SecureString ClientPassword { get; private set; }

        public DateTimeOffset? StartDate { get; }

        public DateTimeOffset? EndDate { get; }

        /// <summary>Returned by Caxton; the docs do not say what it is for, so the module only shows it.</summary>
        public string? PublicKey { get; }

        public int? ApiStatusCode { get; }

        public string? ApiStatus { get; }

        public string? ApiStatusDescription { get; }

        /// <summary>The request id Caxton sent back with this answer, for the audit trail and support.</summary>
        public string? RequestId { get; internal set; }

        /// <summary>The answer's Date header (Caxton's clock).</summary>
        public DateTimeOffset? ResponseDate { get; internal set; }

        /// <summary>The caller's own copy: disposing its SecureString never breaks the one kept here.</summary>
        public CaxtonClientPassword CopyForCaller() => (CaxtonClientPassword)MemberwiseCloneWith(Secrets.ReadOnlyCopy(ClientPassword));

        private object MemberwiseCloneWith(SecureString password)
        {
            var copy = (CaxtonClientPassword)MemberwiseClone();
            copy.ClientPassword = password;
            return copy;
        }

        public override string ToString() => $"Client password for {Username} valid until {EndDate:u}";
    }
}
