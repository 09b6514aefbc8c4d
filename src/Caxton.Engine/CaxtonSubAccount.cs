using System;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>
    /// A sub-account from Create Subsidiary Account. Its Username and Clientname are the names it
    /// generates its own client password with, so it pipes into New-CaxtonPassword as it is.
    /// </summary>
    public sealed class CaxtonSubAccount
    {
        internal CaxtonSubAccount(string username, string clientname, string email, ApiStatusTriple status)
        {
            Username = username;
            Clientname = clientname;
            Email = email;
            ApiStatusCode = status.Code;
            ApiStatus = status.Name;
            ApiStatusDescription = status.Description;
            CreatedOn = DateTimeOffset.UtcNow;
        }

        /// <summary>The sub-account's own Username, as Caxton issued it.</summary>
        public string Username { get; }

        /// <summary>The company's name as Caxton keeps it (the model's Name): the sub-account's Clientname.</summary>
        public string Clientname { get; }

        /// <summary>The same name, as the request called it.</summary>
        public string CompanyName => Clientname;

        /// <summary>The e-mail address the sub-account was created with.</summary>
        public string Email { get; }

        public int? ApiStatusCode { get; }

        public string? ApiStatus { get; }

        public string? ApiStatusDescription { get; }

        public DateTimeOffset CreatedOn { get; }

        /// <summary>The answer's request id, for quoting to Caxton support (and the audit record).</summary>
        public string? RequestId { get; internal set; }

        /// <summary>The answer's Date header.</summary>
        public DateTimeOffset? ResponseDate { get; internal set; }

        public override string ToString() => $"Sub-account {Username} ({Clientname})";
    }
}
