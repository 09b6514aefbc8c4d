using System;
using System.IO;

namespace Caxton.Commands
{
    /// <summary>
    /// One state-changing call (generate, reset, rotate), as an Information record tagged CaxtonAudit:
    /// when, which OS user, which account, Caxton's request id and Date, the outcome. Never a secret.
    /// Finance teams keep these with the job's logs (-InformationVariable, or 6>> file).
    /// </summary>
    public sealed class CaxtonAuditRecord
    {
        public const string Tag = "CaxtonAudit";

        internal CaxtonAuditRecord(string action, CaxtonConnection connection, string username, string clientname, string? identityNumber, string outcome, string? requestId, DateTimeOffset? responseDate)
        {
            Time = DateTimeOffset.UtcNow;
            OSUser = Path.DirectorySeparatorChar == '\\' && !string.IsNullOrEmpty(Environment.UserDomainName)
                ? Environment.UserDomainName + "\\" + Environment.UserName
                : Environment.UserName;
            Action = action;
            BaseUri = connection.BaseUri;
            Username = username;
            Clientname = clientname;
            IdentityNumber = identityNumber;
            Outcome = outcome;
            RequestId = requestId;
            ResponseDate = responseDate;
        }

        /// <summary>When the call ended, by this host's clock (UTC).</summary>
        public DateTimeOffset Time { get; }

        public string OSUser { get; }

        /// <summary>Generate, Reset or Rotate.</summary>
        public string Action { get; }

        public Uri BaseUri { get; }

        public string Username { get; }

        public string Clientname { get; }

        public string? IdentityNumber { get; }

        /// <summary>Succeeded, or Failed (ErrorId): what happened, in the words of the ErrorId.</summary>
        public string Outcome { get; }

        /// <summary>The request id of Caxton's last answer in the call, when it sent one.</summary>
        public string? RequestId { get; }

        /// <summary>The Date of Caxton's last answer in the call (Caxton's clock).</summary>
        public DateTimeOffset? ResponseDate { get; }

        public override string ToString() =>
            $"CaxtonAudit {Time:u} {OSUser} {Action} {Username} ({Clientname}){(IdentityNumber is null ? string.Empty : " sub-account " + IdentityNumber)} at {BaseUri}: {Outcome}"
            + (RequestId is null && ResponseDate is null ? string.Empty : $" [Caxton: {(ResponseDate is DateTimeOffset d ? "Date " + d.ToString("r", System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}{(RequestId is null ? string.Empty : " request id " + RequestId)}]");
    }
}
