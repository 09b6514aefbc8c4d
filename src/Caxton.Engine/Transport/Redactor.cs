using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Caxton.Transport
{
    /// <summary>
    /// The one place secrets are masked in text meant for people: -Debug traces, verbose lines, warnings,
    /// status lines and server-supplied descriptions that end up in messages. Diagnostic text only: data
    /// a cmdlet returns never passes here. Linear in its input (see docs/ARCHITECTURE.md, "Redaction"):
    /// no regular expression, every scan either bounded or over a region no other scan covers again.
    /// The steps, each of which a test turns off in turn:
    /// <list type="number">
    /// <item>secret members of JSON (<c>"access_token":/**/"..."</c>, names in any escaping, embedded JSON), form and query fields, Bearer/Basic credentials, masked where they stand;</item>
    /// <item>echoes of every secret it knows (the request's, and the values found by step 1): whole, truncated to any run of
    /// <see cref="WindowLength"/> characters, base64 (any alignment, either alphabet) and hex of its bytes,
    /// in text decoded from JSON escapes, percent-encoding and HTML entities, mixed freely;</item>
    /// <item>only then may a caller shorten the text.</item>
    /// </list>
    /// </summary>
    internal static class Redactor
    {
        public const string Mask = "********";

        /// <summary>Any run this long of a known secret is masked: a truncated echo gives away as much.</summary>
        public const int WindowLength = 8;

        /// <summary>Shorter known secrets are masked only where they stand alone, not inside words.</summary>
        public const int StandAloneBelow = 4;

        /// <summary>A secret member's name, unescaped, is at most this long; its raw form at most 8 characters a character (\\u0050 inside embedded JSON).</summary>
        private const int MaxNameLength = 16;

        private const int MaxRawNameLength = 8 * MaxNameLength;

        /// <summary>No secret that can be held is longer (a SecureString's limit); longer values are masked where they stand only.</summary>
        internal const int MaxEchoedSecretLength = 65536;

        // Members and fields whose value is a secret, compared after unescaping the name (Client\u0050assword).
        private static readonly HashSet<string> SecretMembers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ClientPassword", "Password", "access_token", "refresh_token", "AccessToken", "token", "secret", "client_secret",
        };

        /// <summary>Steps a test turns off to prove that some test catches each one missing (mutation tests).</summary>
        [Flags]
        internal enum Step
        {
            None = 0,
            SecretMembers = 1,
            FormFields = 2,
            Schemes = 4,
            PlainEchoes = 8,
            TruncatedEchoes = 16,
            Base64Echoes = 32,
            HexEchoes = 64,
            DecodeEncodings = 128,
            ShortSecrets = 256,
            EchoesOfFoundValues = 512,
        }

        [ThreadStatic]
        private static Step disabled;

        /// <summary>For mutation tests only, on the test's own thread: steps turned off (never set by product code).</summary>
        internal static Step Disabled
        {
            get => disabled;
            set => disabled = value;
        }

        [ThreadStatic]
        private static long work;

        /// <summary>Characters visited by the last <see cref="Redact"/> on this thread: the linear bound's measure.</summary>
        internal static long LastWork => work;

        private static bool On(Step step) => (Disabled & step) == 0;

        public static string Redact(string? text, IReadOnlyCollection<string>? knownSecrets = null)
        {
            work = 0;
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            using var masks = new Ranges(text!.Length);
            var found = new Found();
            if (On(Step.SecretMembers))
            {
                MaskSecretMembers(text!, masks, found);
            }

            if (On(Step.FormFields))
            {
                MaskFormFields(text!, masks, found);
            }

            if (On(Step.Schemes))
            {
                MaskSchemes(text!, masks, found);
            }

            var needles = new Needles();
            if (knownSecrets != null)
            {
                foreach (var secret in knownSecrets)
                {
                    needles.Add(secret);
                }
            }

            if (On(Step.EchoesOfFoundValues))
            {
                foreach (var value in found.Values)
                {
                    needles.Add(value);
                }
            }

            if (!needles.IsEmpty)
            {
                MaskEchoes(text!, needles, masks);
            }

            return masks.Apply(text!);
        }

        /// <summary>Redacts, then shortens: shortening first could cut a secret out of reach of the masks.</summary>
        public static string RedactAndTruncate(string? text, IReadOnlyCollection<string>? knownSecrets, int maxChars) =>
            Shorten(Redact(text, knownSecrets), maxChars);

        /// <summary>Already redacted text, cut to <paramref name="maxChars"/> with a note saying so (and where the rest is).</summary>
        public static string Shorten(string text, int maxChars, string? whereTheRestIs = null) =>
            text.Length <= maxChars ? text : text.Substring(0, maxChars) + $"... ({text.Length} characters, shortened{whereTheRestIs})";

        /// <summary>
        /// The values of secret members as the JSON reader reads them (comments skipped, names unescaped):
        /// known to the reader, they are known to the redactor, wherever and however the text repeats them.
        /// </summary>
        public static List<string> SecretValuesIn(JsonElement element)
        {
            var values = new List<string>();
            Collect(element, values, 0);
            return values;
        }

        private static void Collect(JsonElement element, List<string> values, int depth)
        {
            if (depth > 64)
            {
                return;
            }

            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (SecretMembers.Contains(property.Name) && property.Value.ValueKind != JsonValueKind.Object && property.Value.ValueKind != JsonValueKind.Array)
                    {
                        var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                        if (!string.IsNullOrEmpty(value))
                        {
                            values.Add(value!);
                        }
                    }
                    else
                    {
                        Collect(property.Value, values, depth + 1);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, values, depth + 1);
                }
            }
        }

        // ---- Step 1: secrets where they stand ----

        /// <summary>
        /// Secret values found in the text, for step 2. Every one is masked where it stands, whatever its
        /// length and their number; echoes are looked for of those of <see cref="WindowLength"/> or more
        /// characters (shorter ones would mask ordinary words), and of the first ones only, within a
        /// budget, so a body of thousands of them stays linear.
        /// </summary>
        private sealed class Found
        {
            private readonly HashSet<string> values = new HashSet<string>(StringComparer.Ordinal);
            private int budget = 4 * MaxEchoedSecretLength;

            public IEnumerable<string> Values => values;

            public bool Wants(int length) => budget > 0 && length >= WindowLength && length <= MaxEchoedSecretLength;

            public void Add(string value)
            {
                if (budget > 0 && value.Length >= WindowLength && values.Add(value))
                {
                    budget -= value.Length;
                }
            }
        }

        /// <summary>
        /// "name" : "value" where the name, unescaped, is a secret member. Anchored on each colon and read
        /// outwards, so a stray quote earlier in the text cannot hide a member: the name is bounded, comments
        /// before the colon are skipped back only as far as the previous comment's end, and a value, once
        /// read, is never read again (a colon inside it is not a member).
        /// </summary>
        private static void MaskSecretMembers(string text, Ranges masks, Found found)
        {
            var readTo = 0;
            var forward = new CommentSkipper();
            for (var colon = text.IndexOf(':'); colon >= 0; colon = colon + 1 < text.Length ? text.IndexOf(':', colon + 1) : -1)
            {
                work++;
                if (colon < readTo || !IsSecretNameBefore(text, colon))
                {
                    continue;
                }

                var start = forward.SkipSpaceAndComments(text, colon + 1);
                if (start >= text.Length)
                {
                    continue;
                }

                int contentStart, contentEnd;
                var escapes = 0;
                while (start + escapes < text.Length && text[start + escapes] == '\\')
                {
                    escapes++;
                }

                if (start + escapes < text.Length && text[start + escapes] == '"')
                {
                    contentStart = start + escapes + 1;
                    if (escapes == 0)
                    {
                        contentEnd = EndOfString(text, contentStart);
                        readTo = contentEnd + 1;
                    }
                    else
                    {
                        // Inside embedded JSON (\"value\"): to the next quote, without the backslashes before it.
                        contentEnd = contentStart;
                        while (contentEnd < text.Length && text[contentEnd] != '"' && text[contentEnd] != '\n' && text[contentEnd] != '\r')
                        {
                            contentEnd++;
                        }

                        readTo = contentEnd + 1;
                        while (contentEnd > contentStart && text[contentEnd - 1] == '\\')
                        {
                            contentEnd--;
                        }
                    }
                }
                else if (text[start] == '{' || text[start] == '[')
                {
                    continue;
                }
                else
                {
                    contentStart = start;
                    contentEnd = start;
                    while (contentEnd < text.Length && !IsEndOfBareValue(text[contentEnd]))
                    {
                        contentEnd++;
                    }

                    readTo = contentEnd;
                }

                work += contentEnd - contentStart;
                if (contentEnd > contentStart)
                {
                    masks.Add(contentStart, contentEnd);
                    if (found.Wants(contentEnd - contentStart))
                    {
                        var raw = text.Substring(contentStart, contentEnd - contentStart);
                        found.Add(raw);
                        found.Add(JsonUnescape(raw, 0, raw.Length));
                    }
                }
            }
        }

        private static bool IsEndOfBareValue(char c) =>
            c == ',' || c == '}' || c == ']' || c == '"' || char.IsWhiteSpace(c);

        /// <summary>Where a JSON string's content ends: its closing quote, a raw line break (JSON strings have none) or the end.</summary>
        private static int EndOfString(string text, int from)
        {
            var i = from;
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"' || c == '\n' || c == '\r')
                {
                    break;
                }
            }

            return Math.Min(i, text.Length);
        }

        private static bool IsSecretNameBefore(string text, int colon)
        {
            var close = SkipBackSpaceAndComments(text, colon - 1);
            if (close < 1 || text[close] != '"')
            {
                return false;
            }

            var limit = Math.Max(0, close - MaxRawNameLength - 1);
            for (var open = close - 1; open >= limit; open--)
            {
                work++;
                if (text[open] == '"')
                {
                    // Embedded JSON (\"name\"): the backslash before the closing quote is not the name's.
                    var end = close;
                    while (end > open + 1 && text[end - 1] == '\\')
                    {
                        end--;
                    }

                    var name = JsonUnescape(text, open + 1, end);
                    return name.Length <= MaxNameLength && SecretMembers.Contains(name);
                }
            }

            return false;
        }

        /// <summary>
        /// The last character before <paramref name="at"/> (inclusive) that is neither white space nor in a
        /// /* comment */; -1 when none. A comment is skipped back only to its opening, and never past
        /// another comment's end, so each stretch of text is read back once at most.
        /// </summary>
        private static int SkipBackSpaceAndComments(string text, int at)
        {
            var p = at;
            var crossedLine = false;
            while (p >= 0)
            {
                work++;
                if (char.IsWhiteSpace(text[p]))
                {
                    crossedLine |= text[p] == '\n';
                    p--;
                    continue;
                }

                if (crossedLine)
                {
                    // The line before may end in a // comment: back to where it starts. Each line is read
                    // back so once at most: only a colon after a line break reads the line before it.
                    crossedLine = false;
                    var lineStart = p;
                    while (lineStart > 0 && text[lineStart - 1] != '\n')
                    {
                        lineStart--;
                    }

                    work += p - lineStart;
                    var comment = text.IndexOf("//", lineStart, p - lineStart + 1, StringComparison.Ordinal);
                    if (comment >= 0)
                    {
                        p = comment - 1;
                        continue;
                    }
                }

                if (p >= 1 && text[p] == '/' && text[p - 1] == '*')
                {
                    var open = -1;
                    for (var j = p - 2; j >= 1; j--)
                    {
                        work++;
                        if (text[j - 1] == '/' && text[j] == '*')
                        {
                            open = j - 1;
                            break;
                        }

                        if (text[j - 1] == '*' && text[j] == '/')
                        {
                            break;
                        }
                    }

                    if (open < 0)
                    {
                        return p;
                    }

                    p = open - 1;
                    continue;
                }

                return p;
            }

            return -1;
        }

        /// <summary>Skips white space and comments forward; remembers the last comment end found, so colons read left to right never search the same stretch twice.</summary>
        private sealed class CommentSkipper
        {
            private int blockFrom = -1;
            private int blockEnd = -1;
            private int lineFrom = -1;
            private int lineEnd = -1;

            public int SkipSpaceAndComments(string text, int at)
            {
                var i = at;
                while (i < text.Length)
                {
                    work++;
                    if (char.IsWhiteSpace(text[i]))
                    {
                        i++;
                    }
                    else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
                    {
                        i = NextOf(text, "*/", i + 2, ref blockFrom, ref blockEnd) + 2;
                    }
                    else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
                    {
                        i = NextOf(text, "\n", i + 2, ref lineFrom, ref lineEnd) + 1;
                    }
                    else
                    {
                        break;
                    }
                }

                return Math.Min(i, text.Length);
            }

            private static int NextOf(string text, string what, int from, ref int searchedFrom, ref int foundAt)
            {
                if (searchedFrom >= 0 && from >= searchedFrom && from <= foundAt)
                {
                    return foundAt;
                }

                var at = text.IndexOf(what, from, StringComparison.Ordinal);
                work += (at < 0 ? text.Length : at) - from;
                searchedFrom = from;
                foundAt = at < 0 ? text.Length : at;
                return foundAt;
            }
        }

        /// <summary>Password=... in a form or query (after ?, &amp; or white space; the name may be percent-encoded).</summary>
        private static void MaskFormFields(string text, Ranges masks, Found found)
        {
            var readTo = 0;
            for (var equals = text.IndexOf('='); equals >= 0; equals = equals + 1 < text.Length ? text.IndexOf('=', equals + 1) : -1)
            {
                work++;
                if (equals < readTo)
                {
                    continue;
                }

                var start = equals;
                while (start > 0 && equals - start < 3 * MaxNameLength && !IsFieldDelimiter(text[start - 1]))
                {
                    start--;
                    work++;
                }

                if (start == equals || (start > 0 && !IsFieldDelimiter(text[start - 1])))
                {
                    continue;
                }

                var name = PercentDecode(text.Substring(start, equals - start));
                if (!SecretMembers.Contains(name))
                {
                    continue;
                }

                var end = equals + 1;
                while (end < text.Length && text[end] != '&' && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }

                work += end - equals;
                readTo = end;
                if (end > equals + 1)
                {
                    masks.Add(equals + 1, end);
                    if (found.Wants(end - equals - 1))
                    {
                        var value = text.Substring(equals + 1, end - equals - 1);
                        found.Add(value);
                        found.Add(PercentDecode(value));
                    }
                }
            }
        }

        private static bool IsFieldDelimiter(char c) => c == '&' || c == '?' || c == ';' || char.IsWhiteSpace(c);

        /// <summary>Authorization: Bearer ... and Basic ..., up to where a header value or a quoted string ends.</summary>
        private static void MaskSchemes(string text, Ranges masks, Found found)
        {
            for (var i = 0; i < text.Length; i++)
            {
                work++;
                var c = text[i];
                if ((c != 'b' && c != 'B') || (i > 0 && char.IsLetterOrDigit(text[i - 1])))
                {
                    continue;
                }

                var after = StartsWithIgnoreCase(text, i, "bearer") ? i + 6 : StartsWithIgnoreCase(text, i, "basic") ? i + 5 : -1;
                if (after < 0 || after >= text.Length || (text[after] != ' ' && text[after] != '\t'))
                {
                    continue;
                }

                var start = after;
                while (start < text.Length && (text[start] == ' ' || text[start] == '\t'))
                {
                    start++;
                }

                var end = start;
                while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '"' && text[end] != ',' && text[end] != ';')
                {
                    end++;
                }

                work += end - i;
                if (end > start)
                {
                    masks.Add(start, end);
                    if (found.Wants(end - start))
                    {
                        found.Add(text.Substring(start, end - start));
                    }
                }

                i = Math.Max(i, end - 1);
            }
        }

        private static bool StartsWithIgnoreCase(string text, int at, string word) =>
            at + word.Length <= text.Length && string.Compare(text, at, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0;

        // ---- Step 2: echoes of the secrets it knows ----

        /// <summary>The forms of the known secrets to look for, by length: runs of <see cref="WindowLength"/>, shorter whole values.</summary>
        private sealed class Needles
        {
            private readonly HashSet<string> seen = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Decoded text, by length 1..WindowLength, in canonical form (' ' = '+', '-' = '+', '_' = '/').</summary>
            public readonly Dictionary<int, HashSet<Key>> Text = new Dictionary<int, HashSet<Key>>();

            /// <summary>Bytes read from hex digits, by length.</summary>
            public readonly Dictionary<int, HashSet<Key>> Bytes = new Dictionary<int, HashSet<Key>>();

            /// <summary>Whole secrets longer than a window, matched whole: only when truncated echoes are turned off (a mutation).</summary>
            public readonly List<string> Wholes = new List<string>();

            public bool IsEmpty => Text.Count == 0 && Bytes.Count == 0 && Wholes.Count == 0;

            public void Add(string? secret)
            {
                if (string.IsNullOrEmpty(secret) || secret!.Length > MaxEchoedSecretLength || !seen.Add(secret))
                {
                    return;
                }

                var canonical = Canonical(secret);
                if (On(Step.PlainEchoes) && (secret.Length >= StandAloneBelow || On(Step.ShortSecrets)))
                {
                    if (canonical.Length <= WindowLength || On(Step.TruncatedEchoes))
                    {
                        AddForm(Text, canonical, 1);
                    }
                    else
                    {
                        Wholes.Add(canonical);
                    }
                }

                var bytes = Encoding.UTF8.GetBytes(secret);
                if (On(Step.Base64Echoes) && bytes.Length >= 6)
                {
                    // Inside a longer base64 text the secret starts at any of three alignments; only the
                    // characters its bytes alone decide are compared.
                    for (var align = 0; align < 3; align++)
                    {
                        var padded = new byte[align + bytes.Length];
                        Buffer.BlockCopy(bytes, 0, padded, align, bytes.Length);
                        var encoded = Convert.ToBase64String(padded);
                        var from = (8 * align + 5) / 6;
                        var to = 8 * (align + bytes.Length) / 6;
                        AddForm(Text, Canonical(encoded.Substring(from, to - from)), WindowLength - 1);
                    }
                }

                if (On(Step.HexEchoes) && bytes.Length >= 6)
                {
                    var asChars = new char[bytes.Length];
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        asChars[i] = (char)bytes[i];
                    }

                    AddForm(Bytes, new string(asChars), 6);
                }
            }

            /// <summary>Every run of WindowLength (so a truncated echo is caught), or the whole when shorter.</summary>
            private static void AddForm(Dictionary<int, HashSet<Key>> byLength, string form, int minimum)
            {
                if (form.Length < minimum)
                {
                    return;
                }

                var length = Math.Min(form.Length, WindowLength);
                if (!byLength.TryGetValue(length, out var set))
                {
                    set = new HashSet<Key>();
                    byLength.Add(length, set);
                }

                for (var i = 0; i + length <= form.Length; i++)
                {
                    set.Add(Key.Of(form, i, length));
                }

                work += form.Length;
            }
        }

        /// <summary>Up to 8 UTF-16 units, exactly.</summary>
        private readonly struct Key : IEquatable<Key>
        {
            private readonly ulong low;
            private readonly ulong high;

            public Key(ulong low, ulong high)
            {
                this.low = low;
                this.high = high;
            }

            public static Key Of(string text, int at, int length)
            {
                ulong low = 0, high = 0;
                for (var i = 0; i < length; i++)
                {
                    Push(ref low, ref high, text[at + i]);
                }

                return new Key(low, high);
            }

            public static void Push(ref ulong low, ref ulong high, char c)
            {
                high = (high << 16) | (low >> 48);
                low = (low << 16) | c;
            }

            /// <summary>The last <paramref name="length"/> units pushed.</summary>
            public static Key Last(ulong low, ulong high, int length) =>
                length >= 8 ? new Key(low, high)
                : length > 4 ? new Key(low, high & (ulong.MaxValue >> (64 - 16 * (length - 4))))
                : new Key(length == 4 ? low : low & ((1UL << (16 * length)) - 1), 0);

            public bool Equals(Key other) => low == other.low && high == other.high;

            public override bool Equals(object? obj) => obj is Key other && Equals(other);

            public override int GetHashCode() => (low * 0x9E3779B97F4A7C15UL ^ high).GetHashCode();
        }

        private static string Canonical(string text)
        {
            var chars = text.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Canonical(chars[i]);
            }

            return new string(chars);
        }

        // One form for characters that encodings swap: a space as '+' (forms), base64url's '-' and '_'.
        private static char Canonical(char c) => c == ' ' || c == '-' ? '+' : c == '_' ? '/' : c;

        private static void MaskEchoes(string text, Needles needles, Ranges masks)
        {
            var length = text.Length;
            var view = ArrayPool<char>.Shared.Rent(length + 1);
            var starts = ArrayPool<int>.Shared.Rent(length + 1);
            try
            {
                if (needles.Text.Count > 0 || needles.Wholes.Count > 0)
                {
                    // As written, and as decoded: a secret may hold a backslash or a % itself, echoed raw.
                    for (var decode = 0; decode < (On(Step.DecodeEncodings) ? 2 : 1); decode++)
                    {
                        var changed = true;
                        var count = decode == 1 ? Decode(text, view, starts, out changed) : Copy(text, view, starts);
                        if (!changed)
                        {
                            break; // nothing was encoded: the decoded text is the text
                        }

                        Match(view, starts, count, needles.Text, masks);
                        MatchWholes(needles.Wholes, view, starts, count, masks);
                    }
                }

                if (needles.Bytes.Count > 0)
                {
                    for (var parity = 0; parity < 2; parity++)
                    {
                        var count = HexBytes(text, parity, view, starts);
                        Match(view, starts, count, needles.Bytes, masks);
                    }
                }
            }
            finally
            {
                ArrayPool<char>.Shared.Return(view);
                ArrayPool<int>.Shared.Return(starts);
            }
        }

        /// <summary>
        /// One pass for all needle lengths: a rolling key of the last units, looked up in the set of each
        /// length only when a 64K-bit filter of that set's hashes lets it through.
        /// </summary>
        private static void Match(char[] view, int[] starts, int count, Dictionary<int, HashSet<Key>> byLength, Ranges masks)
        {
            var lengths = new int[byLength.Count];
            var sets = new HashSet<Key>[byLength.Count];
            var filters = new ulong[byLength.Count][];
            var n = 0;
            foreach (var pair in byLength)
            {
                lengths[n] = pair.Key;
                sets[n] = pair.Value;
                filters[n] = new ulong[1024];
                foreach (var key in pair.Value)
                {
                    var bit = key.GetHashCode() & 0xFFFF;
                    filters[n][bit >> 6] |= 1UL << (bit & 63);
                }

                n++;
            }

            ulong low = 0, high = 0;
            for (var i = 0; i < count; i++)
            {
                Key.Push(ref low, ref high, view[i]);
                for (var k = 0; k < n; k++)
                {
                    var length = lengths[k];
                    var first = i - length + 1;
                    if (first < 0)
                    {
                        continue;
                    }

                    var candidate = Key.Last(low, high, length);
                    var hash = candidate.GetHashCode() & 0xFFFF;
                    if ((filters[k][hash >> 6] & (1UL << (hash & 63))) == 0 || !sets[k].Contains(candidate))
                    {
                        continue;
                    }

                    if (length < StandAloneBelow && ((first > 0 && char.IsLetterOrDigit(view[first - 1])) || (i + 1 < count && char.IsLetterOrDigit(view[i + 1]))))
                    {
                        continue;
                    }

                    masks.Add(starts[first], starts[i + 1]);
                }
            }

            work += (long)count * n;
        }

        private static void MatchWholes(List<string> wholes, char[] view, int[] starts, int count, Ranges masks)
        {
            if (wholes.Count == 0)
            {
                return;
            }

            var decoded = new string(view, 0, count);
            foreach (var whole in wholes)
            {
                for (var at = decoded.IndexOf(whole, StringComparison.Ordinal); at >= 0; at = decoded.IndexOf(whole, at + 1, StringComparison.Ordinal))
                {
                    masks.Add(starts[at], starts[at + whole.Length]);
                }
            }
        }

        private static int Copy(string text, char[] view, int[] starts)
        {
            for (var i = 0; i < text.Length; i++)
            {
                view[i] = Canonical(text[i]);
                starts[i] = i;
            }

            starts[text.Length] = text.Length;
            work += text.Length;
            return text.Length;
        }

        /// <summary>
        /// The text as a reader of any of its encodings would see it, one pass: \uXXXX and \" style JSON
        /// escapes, %XX (UTF-8), &amp;#NN; &amp;#xHH; and the named HTML entities, each character in
        /// whichever form; <paramref name="starts"/> maps each decoded unit back to where it began.
        /// </summary>
        private static int Decode(string text, char[] view, int[] starts, out bool changed)
        {
            changed = false;
            var count = 0;
            var utf8 = new byte[4];
            var decoded = new char[2];
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                var consumed = 1;
                var unit = c;
                if (c == '\\' && i + 1 < text.Length)
                {
                    var next = text[i + 1];
                    if (next == 'u' && TryHex(text, i + 2, 4, out var code))
                    {
                        unit = (char)code;
                        consumed = 6;
                    }
                    else if (JsonShortUnescape(next) is char simple)
                    {
                        unit = simple;
                        consumed = 2;
                    }
                }
                else if (c == '%' && TryHex(text, i + 1, 2, out var lead))
                {
                    var bytes = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
                    var ok = bytes > 0;
                    utf8[0] = (byte)lead;
                    for (var b = 1; ok && b < bytes; b++)
                    {
                        ok = i + 3 * b < text.Length && text[i + 3 * b] == '%' && TryHex(text, i + 3 * b + 1, 2, out var more) && (more & 0xC0) == 0x80 && Store(utf8, b, more);
                    }

                    if (ok)
                    {
                        var units = bytes == 1 ? 1 : Encoding.UTF8.GetChars(utf8, 0, bytes, decoded, 0);
                        if (bytes == 1)
                        {
                            unit = (char)lead;
                        }
                        else
                        {
                            for (var u = 0; u < units - 1; u++)
                            {
                                view[count] = Canonical(decoded[u]);
                                starts[count++] = i;
                            }

                            unit = decoded[units - 1];
                        }

                        consumed = 3 * bytes;
                    }
                }
                else if (c == '&' && TryEntity(text, i, out var entity, out var entityLength))
                {
                    unit = entity;
                    consumed = entityLength;
                }

                changed |= consumed > 1;
                view[count] = Canonical(unit);
                starts[count++] = i;
                i += consumed;
            }

            starts[count] = text.Length;
            work += text.Length;
            return count;
        }

        private static bool Store(byte[] utf8, int at, int value)
        {
            utf8[at] = (byte)value;
            return true;
        }

        /// <summary>
        /// The bytes hex digits spell, pairs taken from digit <paramref name="parity"/> of each run on;
        /// separators (- : space) are skipped, anything else ends the run.
        /// </summary>
        private static int HexBytes(string text, int parity, char[] view, int[] starts)
        {
            var count = 0;
            var digit = 0;
            var high = 0;
            var pairStart = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '-' || c == ':' || c == ' ')
                {
                    continue;
                }

                var nibble = HexValue(c);
                if (nibble < 0)
                {
                    if (digit > 0)
                    {
                        view[count] = '\uFFFF';
                        starts[count++] = i;
                    }

                    digit = 0;
                    continue;
                }

                if (digit >= parity && (digit - parity) % 2 == 0)
                {
                    high = nibble;
                    pairStart = i;
                }
                else if (digit >= parity)
                {
                    view[count] = (char)((high << 4) | nibble);
                    starts[count++] = pairStart;
                }

                digit++;
            }

            starts[count] = text.Length;
            work += text.Length;
            return count;
        }

        private static int HexValue(char c) =>
            c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        private static bool TryHex(string text, int at, int length, out int value)
        {
            value = 0;
            if (at + length > text.Length)
            {
                return false;
            }

            for (var i = at; i < at + length; i++)
            {
                var nibble = HexValue(text[i]);
                if (nibble < 0)
                {
                    return false;
                }

                value = (value << 4) | nibble;
            }

            return true;
        }

        /// <summary>&amp;#NN; &amp;#xHH; (the semicolon optional) and the entities HTML encoders write.</summary>
        private static bool TryEntity(string text, int at, out char value, out int length)
        {
            value = default;
            length = 0;
            if (at + 2 < text.Length && text[at + 1] == '#')
            {
                var hex = text[at + 2] == 'x' || text[at + 2] == 'X';
                var i = at + (hex ? 3 : 2);
                var code = 0;
                var digits = 0;
                while (i < text.Length && digits < 8)
                {
                    var d = hex ? HexValue(text[i]) : text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1;
                    if (d < 0)
                    {
                        break;
                    }

                    code = hex ? (code << 4) | d : code * 10 + d;
                    digits++;
                    i++;
                }

                if (digits == 0 || code > 0xFFFF)
                {
                    return false;
                }

                if (i < text.Length && text[i] == ';')
                {
                    i++;
                }

                value = (char)code;
                length = i - at;
                return true;
            }

            foreach (var (name, character) in NamedEntities)
            {
                if (string.CompareOrdinal(text, at, name, 0, name.Length) == 0)
                {
                    value = character;
                    length = name.Length;
                    return true;
                }
            }

            return false;
        }

        private static readonly (string Name, char Character)[] NamedEntities =
        {
            ("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\''),
        };

        private static char? JsonShortUnescape(char c)
        {
            switch (c)
            {
                case '"': return '"';
                case '\\': return '\\';
                case '/': return '/';
                case 'b': return '\b';
                case 'f': return '\f';
                case 'n': return '\n';
                case 'r': return '\r';
                case 't': return '\t';
                default: return null;
            }
        }

        /// <summary>A JSON string's content as its reader sees it; odd escapes are left as they are.</summary>
        private static string JsonUnescape(string text, int from, int to)
        {
            if (text.IndexOf('\\', from, to - from) < 0)
            {
                return text.Substring(from, to - from);
            }

            var result = new StringBuilder(to - from);
            for (var i = from; i < to; i++)
            {
                if (text[i] == '\\' && i + 1 < to)
                {
                    if (text[i + 1] == 'u' && i + 5 < to && TryHex(text, i + 2, 4, out var code))
                    {
                        result.Append((char)code);
                        i += 5;
                        continue;
                    }

                    if (text[i + 1] == '\\' && i + 2 < to && text[i + 2] == 'u')
                    {
                        // \\u0050 inside embedded JSON: one level of escaping more.
                        continue;
                    }

                    result.Append(JsonShortUnescape(text[i + 1]) ?? text[i + 1]);
                    i++;
                    continue;
                }

                result.Append(text[i]);
            }

            return result.ToString();
        }

        private static string PercentDecode(string text)
        {
            if (text.IndexOf('%') < 0 && text.IndexOf('+') < 0)
            {
                return text;
            }

            try
            {
                return Uri.UnescapeDataString(text.Replace('+', ' '));
            }
            catch (UriFormatException)
            {
                return text;
            }
        }

        /// <summary>Where to mask: one mark a character, so overlapping and touching masks merge without sorting; applied once, in one copy of the text.</summary>
        private sealed class Ranges : IDisposable
        {
            private readonly int length;
            private byte[]? marks;

            public Ranges(int length) => this.length = length;

            public void Add(int start, int end)
            {
                if (end <= start)
                {
                    return;
                }

                if (marks is null)
                {
                    marks = ArrayPool<byte>.Shared.Rent(length);
                    Array.Clear(marks, 0, length);
                }

                for (var i = start; i < end; i++)
                {
                    marks[i] = 1;
                }

                work += end - start;
            }

            public string Apply(string text)
            {
                if (marks is null)
                {
                    return text;
                }

                var result = new StringBuilder(text.Length);
                var at = 0;
                while (at < length)
                {
                    var next = Array.IndexOf(marks, (byte)1, at, length - at);
                    if (next < 0)
                    {
                        break;
                    }

                    result.Append(text, at, next - at).Append(Mask);
                    var end = Array.IndexOf(marks, (byte)0, next, length - next);
                    at = end < 0 ? length : end;
                }

                result.Append(text, at, length - at);
                work += length;
                return result.ToString();
            }

            public void Dispose()
            {
                if (marks != null)
                {
                    ArrayPool<byte>.Shared.Return(marks);
                    marks = null;
                }
            }
        }
    }
}
