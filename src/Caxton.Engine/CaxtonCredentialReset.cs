using System;
using Caxton.Wire;

namespace Caxton
{
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

        /// <summary>The request id Caxton sent back with this answer, for the audit trail and support.</summary>
        public string? RequestId { get; internal set; }

        /// <summary>The answer's Date header (Caxton's clock).</summary>
        public DateTimeOffset? ResponseDate { get; internal set; }

        public override string ToString() => $"Credentials of {Username}{(IdentityNumber is null ? string.Empty : " sub-account " + IdentityNumber)} reset";
    }
}
