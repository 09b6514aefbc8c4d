namespace Caxton
{
    /// <summary>Text of commands the module suggests, built so that pasting one runs exactly it.</summary>
    public static class CommandText
    {
        /// <summary>
        /// A PowerShell single-quoted literal. PowerShell's parser takes ' and the typographic single
        /// quotes U+2018, U+2019, U+201A and U+201B for one another, so each is doubled, exactly as
        /// CodeGeneration.EscapeSingleQuotedStringContent does (the engine has no PowerShell types; a test
        /// compares the two over every UTF-16 unit). The cmdlets pass PowerShell's own where they can.
        /// </summary>
        public static string SingleQuoted(string value)
        {
            var text = new System.Text.StringBuilder(value.Length + 2).Append('\'');
            foreach (var c in value)
            {
                text.Append(c);
                if (c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B')
                {
                    text.Append(c);
                }
            }

            return text.Append('\'').ToString();
        }
    }
}
