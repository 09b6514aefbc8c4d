using System;
using System.Collections.Generic;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>The outcome of Reset Client Credentials.</summary>
    public sealed class CaxtonCredentialReset
    {
        /// <param name="secrets">What the redactor masks in the status text: the server's words are shown, never trusted (Reset-CaxtonCredential -PassThru).</param>
        internal CaxtonCredentialReset(string username, string clientname, string? identityNumber, ApiModel model, DateTimeOffset resetOn, IReadOnlyCollection<string>? secrets = null)
        {
            Username = username;
            Clientname = clientname;
            IdentityNumber = identityNumber;
            ApiStatusCode = model.Status.Code;
            ApiStatus = model.Status.Name is null ? null : Redactor.Redact(model.Status.Name, secrets);
            ApiStatusDescription = model.Status.Description is null ? null : Redactor.Redact(model.Status.Description, secrets);
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
