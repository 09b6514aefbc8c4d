using System.Collections;
using System.Collections.Generic;

namespace Caxton.Commands.Completers
{
    /// <summary>Completes the names given to Connect-Caxton -Name in this runspace.</summary>
    public sealed class ConnectionNameCompleter : ConnectionValueCompleter
    {
        protected override string ToolTip => "Caxton connection '{0}'";

        protected override IEnumerable<string?> Candidates(IDictionary boundParameters) => ConnectionStore.Names();
    }
}
