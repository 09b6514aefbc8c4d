using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Caxton.Commands.Completers
{
    /// <summary>Completes the usernames held by this runspace's connections, named or default, then those used or created in it.</summary>
    public sealed class UsernameCompleter : ConnectionValueCompleter
    {
        protected override string ToolTip => "Caxton username '{0}', held by a connection or used in this session";

        protected override IEnumerable<string?> Candidates(IDictionary boundParameters) =>
            ConnectionStore.List("*").Select(connection => connection.Username).Concat(ClientnameCompleter.UsedUsernames());
    }
}
