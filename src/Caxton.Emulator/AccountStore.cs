using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Caxton.Emulator;

/// <summary>A snapshot of an account, safe to use outside the store's lock.</summary>
internal sealed record Caller(string Username, string Clientname, string? IdentityNumber, string? ParentUsername)
{
    [JsonIgnore]
    public bool IsMain => ParentUsername is null;
}

internal enum RegisterOutcome { Issued, InvalidClient, AlreadyActive }

internal sealed record Registration(
    RegisterOutcome Outcome, string Password = "", string PublicKey = "", DateTime Start = default, DateTime End = default);

internal enum CreateOutcome { Created, UsernameTaken, IdentityNumberTaken, ParentNotFound, ParentNotMain }

internal enum SubsidiaryOutcome { Created, NotMainAccount, CompanyExists }

internal sealed record Subsidiary(SubsidiaryOutcome Outcome, string Username = "", string IdentityNumber = "");

internal enum SubResetOutcome { Reset, NotMainAccount, IdentityNumberNotFound }

/// <summary>
/// All emulator state. One lock guards everything: the load is a few dozen concurrent requests, and
/// a single lock keeps every check-then-act (register, token, reset) atomic without subtlety.
/// Usernames, Clientnames and IdentityNumbers match exactly (ordinal): the docs give no folding rule,
/// and a strict emulator surfaces a client that alters them.
/// </summary>
internal sealed class AccountStore(EmulatorOptions options, TimeProvider time, Contradictions contradictions)
{
    public const string DemoUsername = "caxton.demo";
    public const string DemoClientname = "cxtnclient";
    public const string DemoSubUsername = "caxton.demo.sub";
    public const string DemoSubClientname = "cxtnsubclient";
    public const string DemoSubIdentityNumber = "SUB-000123";

    private readonly Lock gate = new();
    private readonly Dictionary<string, Account> accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> tokens = new(StringComparer.Ordinal);

    private DateTime lastPrune;
    private volatile bool tokensSurviveReset = options.TokensSurviveReset;

    /// <summary>
    /// The emulator's one decision on what Caxton leaves undocumented: whether a token issued before a
    /// reset (or before a newer password) keeps working until its own expiry. Off by default: it stops.
    /// </summary>
    public bool TokensSurviveReset
    {
        get => tokensSurviveReset;
        set => tokensSurviveReset = value;
    }

    /// <summary>Whether a reset leaves earlier tokens working: the setting, or the reset-ends-tokens contradiction.</summary>
    private bool KeepTokensOnReset => TokensSurviveReset || contradictions.Has("reset-ends-tokens");

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public void SeedDemoAccounts()
    {
        Create(DemoUsername, DemoClientname, null, null);
        Create(DemoSubUsername, DemoSubClientname, DemoSubIdentityNumber, DemoUsername);
    }

    /// <summary>Forgets every account and token: a clean slate for the next test, in a running emulator.</summary>
    public int Clear()
    {
        lock (gate)
        {
            var count = accounts.Count;
            accounts.Clear();
            tokens.Clear();
            return count;
        }
    }

    public CreateOutcome Create(string username, string clientname, string? identityNumber, string? parentUsername)
    {
        lock (gate)
        {
            if (accounts.ContainsKey(username))
            {
                return CreateOutcome.UsernameTaken;
            }

            if (identityNumber is not null && accounts.Values.Any(a => a.IdentityNumber == identityNumber))
            {
                return CreateOutcome.IdentityNumberTaken;
            }

            if (parentUsername is not null)
            {
                if (!accounts.TryGetValue(parentUsername, out var parent))
                {
                    return CreateOutcome.ParentNotFound;
                }

                // Caxton describes one level: a main account and its sub-accounts.
                if (parent.ParentUsername is not null)
                {
                    return CreateOutcome.ParentNotMain;
                }
            }

            accounts.Add(username, new Account(username, clientname, identityNumber, parentUsername));
            return CreateOutcome.Created;
        }
    }

    /// <summary>
    /// Create Subsidiary Account: a sub-account of <paramref name="main"/> named after the company, which
    /// becomes its Clientname; the emulator makes up its Username and IdentityNumber. A company the main
    /// account already has a sub-account for is refused, so a rerun never creates a second one.
    /// </summary>
    public Subsidiary CreateSubsidiary(Caller main, string companyName)
    {
        if (!main.IsMain)
        {
            return new Subsidiary(SubsidiaryOutcome.NotMainAccount);
        }

        lock (gate)
        {
            if (accounts.Values.Any(a => a.ParentUsername == main.Username && a.Clientname == companyName))
            {
                return new Subsidiary(SubsidiaryOutcome.CompanyExists);
            }

            string username, identityNumber;
            do
            {
                username = $"{main.Username}.sub-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
                identityNumber = $"SUB-{RandomNumberGenerator.GetInt32(1_000_000):D6}";
            }
            while (accounts.ContainsKey(username) || accounts.Values.Any(a => a.IdentityNumber == identityNumber));

            accounts.Add(username, new Account(username, companyName, identityNumber, main.Username));
            return new Subsidiary(SubsidiaryOutcome.Created, username, identityNumber);
        }
    }

    /// <summary>Issues a password unless one is still active (the emulator's choice: refuse until reset).</summary>
    public Registration Register(string username, string clientname)
    {
        var now = Now;
        lock (gate)
        {
            if (!accounts.TryGetValue(username, out var account) || account.Clientname != clientname)
            {
                return new Registration(RegisterOutcome.InvalidClient);
            }

            if (account.Password is not null && now < account.PasswordEnd && !contradictions.Has("generate-while-active"))
            {
                return new Registration(RegisterOutcome.AlreadyActive);
            }

            // Under generate-while-active the new password replaces an active one, which (as on a reset)
            // ends the tokens issued from it.
            account.LingeringPassword = null;
            account.Password = NewSecret(24);
            account.PublicKey = NewSecret(24);
            account.PasswordStart = now;
            account.PasswordEnd = now + options.PasswordLifetime;
            return new Registration(
                RegisterOutcome.Issued, account.Password, account.PublicKey, account.PasswordStart, account.PasswordEnd);
        }
    }

    /// <summary>Null when the user name or password is wrong, expired or reset: OAuth says no more than that.</summary>
    public string? IssueToken(string username, string password)
    {
        var now = Now;
        lock (gate)
        {
            if (!accounts.TryGetValue(username, out var account))
            {
                return null;
            }

            // Under reset-voids-password, the password from before a reset still gets tokens.
            var matched = Matches(account.Password, password) && now < account.PasswordEnd ? account.Password
                : Matches(account.LingeringPassword, password) ? account.LingeringPassword
                : null;
            if (matched is null)
            {
                return null;
            }

            PruneExpiredTokens(now);
            var token = NewSecret(32);
            tokens.Add(token, new IssuedToken(username, matched, now + options.TokenLifetime));
            return token;
        }
    }

    /// <summary>
    /// A token lives until its own expiry, or until the password it came from is reset or replaced
    /// (unless <see cref="TokensSurviveReset"/>).
    /// The password merely passing its EndDate does not end the token (OAuth tokens outlive the grant).
    /// </summary>
    public Caller? Authenticate(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var now = Now;
        lock (gate)
        {
            if (!tokens.TryGetValue(token, out var issued)
                || now >= issued.ExpiresAt
                || !accounts.TryGetValue(issued.Username, out var account)
                || (!KeepTokensOnReset && !ReferenceEquals(account.Password, issued.Password)))
            {
                return null;
            }

            return account.ToCaller();
        }
    }

    /// <summary>Main-account reset: anonymous, so the Username and Clientname are the only proof.</summary>
    public bool ResetMain(string username, string clientname)
    {
        lock (gate)
        {
            if (!accounts.TryGetValue(username, out var account)
                || account.Clientname != clientname
                || account.ParentUsername is not null)
            {
                return false;
            }

            Invalidate(account);
            return true;
        }
    }

    /// <summary>
    /// Sub-account reset by its main account. An IdentityNumber that does not exist and one that belongs
    /// to another main account get the same answer, so a caller cannot probe other clients' sub-accounts.
    /// </summary>
    public SubResetOutcome ResetSub(Caller main, string identityNumber)
    {
        if (!main.IsMain)
        {
            return SubResetOutcome.NotMainAccount;
        }

        lock (gate)
        {
            var sub = accounts.Values.FirstOrDefault(a =>
                a.IdentityNumber == identityNumber && a.ParentUsername == main.Username);
            if (sub is null)
            {
                return SubResetOutcome.IdentityNumberNotFound;
            }

            Invalidate(sub);
            return SubResetOutcome.Reset;
        }
    }

    /// <summary>Test hook: revokes every token of an account and keeps its password, as a server-side revocation would. -1 for no such account.</summary>
    public int RevokeTokens(string username)
    {
        lock (gate)
        {
            if (!accounts.ContainsKey(username))
            {
                return -1;
            }

            var revoked = tokens.Where(pair => pair.Value.Username == username).Select(pair => pair.Key).ToList();
            revoked.ForEach(token => tokens.Remove(token));
            return revoked.Count;
        }
    }

    /// <summary>Test hook: puts the current password's EndDate in the past. Null when there is no such account.</summary>
    public DateTime? ExpirePassword(string username, out bool hadPassword)
    {
        var now = Now;
        lock (gate)
        {
            hadPassword = false;
            if (!accounts.TryGetValue(username, out var account))
            {
                return null;
            }

            hadPassword = account.Password is not null;
            if (hadPassword && account.PasswordEnd > now)
            {
                account.PasswordEnd = now.AddTicks(-1);
            }

            return account.PasswordEnd;
        }
    }

    public Caller? Find(string username)
    {
        lock (gate)
        {
            return accounts.TryGetValue(username, out var account) ? account.ToCaller() : null;
        }
    }

    public IReadOnlyList<Caller> SubAccountsOf(string username)
    {
        lock (gate)
        {
            return [.. accounts.Values.Where(a => a.ParentUsername == username).Select(a => a.ToCaller())];
        }
    }

    private static bool Matches(string? expected, string given) =>
        expected is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    private void Invalidate(Account account)
    {
        account.LingeringPassword = contradictions.Has("reset-voids-password") ? account.Password : null;
        account.Password = null;
        account.PublicKey = null;
        if (KeepTokensOnReset)
        {
            return;
        }

        foreach (var key in tokens.Where(t => t.Value.Username == account.Username).Select(t => t.Key).ToList())
        {
            tokens.Remove(key);
        }
    }

    private void PruneExpiredTokens(DateTime now)
    {
        // At most once a second: a sweep per token would make issuing O(n) under the lock, and a
        // benchmark issuing thousands of tokens would measure the emulator slowing down.
        if (now - lastPrune < TimeSpan.FromSeconds(1))
        {
            return;
        }

        lastPrune = now;
        foreach (var key in tokens.Where(t => now >= t.Value.ExpiresAt).Select(t => t.Key).ToList())
        {
            tokens.Remove(key);
        }
    }

    /// <summary>Cryptographic randomness, base64url so it survives forms, headers and JSON unescaped.</summary>
    private static string NewSecret(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    private sealed class Account(string username, string clientname, string? identityNumber, string? parentUsername)
    {
        public string Username { get; } = username;
        public string Clientname { get; } = clientname;
        public string? IdentityNumber { get; } = identityNumber;
        public string? ParentUsername { get; } = parentUsername;

        // A fresh string per registration; tokens hold the instance, so identity says "same password".
        public string? Password { get; set; }
        public string? PublicKey { get; set; }

        /// <summary>Only under the reset-voids-password contradiction: the password a reset should have voided.</summary>
        public string? LingeringPassword { get; set; }
        public DateTime PasswordStart { get; set; }
        public DateTime PasswordEnd { get; set; }

        public Caller ToCaller() => new(Username, Clientname, IdentityNumber, ParentUsername);
    }

    private sealed record IssuedToken(string Username, string Password, DateTime ExpiresAt);
}
