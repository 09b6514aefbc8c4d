namespace Caxton
{
    /// <summary>Stable ErrorIds: scripts and docs rely on them, so they never change meaning.</summary>
    public static class CaxtonErrorIds
    {
        public const string InvalidBaseUri = "InvalidBaseUri";
        public const string InsecureBaseUri = "InsecureBaseUri";
        public const string UnknownEnvironment = "UnknownEnvironment";
        public const string NoClientCredential = "NoClientCredential";
        public const string InvalidCredentials = "InvalidCredentials";
        public const string TokenRequestRejected = "TokenRequestRejected";
        public const string Unauthorized = "Unauthorized";
        public const string ApiStatusNotValid = "ApiStatusNotValid";
        public const string HttpError = "HttpError";
        public const string InvalidResponse = "InvalidResponse";
        public const string ConnectionFailed = "ConnectionFailed";
        public const string RequestTimeout = "RequestTimeout";
        public const string ResponseTooLarge = "ResponseTooLarge";
        public const string ClientPasswordExpired = "ClientPasswordExpired";
        public const string ConnectionNotFound = "ConnectionNotFound";
        public const string InvalidHeaderValue = "InvalidHeaderValue";
        public const string InvalidContentType = "InvalidContentType";
        public const string PathOutsideBaseUri = "PathOutsideBaseUri";
        public const string InvalidTimeout = "InvalidTimeout";
        public const string ProxyUriRequired = "ProxyUriRequired";
        public const string ProxyCredentialConflict = "ProxyCredentialConflict";
        public const string InvalidProxyUri = "InvalidProxyUri";
        public const string InvalidBody = "InvalidBody";
        public const string RegenerateIncomplete = "RegenerateIncomplete";
        public const string RegenerateTokenFailed = "RegenerateTokenFailed";
        public const string SubAccountNamesRequired = "SubAccountNamesRequired";
        public const string SubAccountNamesWithoutIdentityNumber = "SubAccountNamesWithoutIdentityNumber";
        public const string SecretDisposed = "SecretDisposed";
        public const string ProxyAuthenticationRequired = "ProxyAuthenticationRequired";
        public const string CertificateRejected = "CertificateRejected";
        public const string RedirectNotFollowed = "RedirectNotFollowed";
        public const string InvalidCertificateAuthority = "InvalidCertificateAuthority";
        public const string NotConnected = "NotConnected";
        public const string PasswordExpiryUnknown = "PasswordExpiryUnknown";
        public const string RegenerateHandOffFailed = "RegenerateHandOffFailed";
        public const string MainPasswordExpired = "MainPasswordExpired";
        public const string CredentialAccountMismatch = "CredentialAccountMismatch";
        public const string ClientnameRequired = "ClientnameRequired";
        public const string UnexpectedError = "UnexpectedError";

        /// <summary>
        /// The next step for each ErrorId, used when the place that raises an error has nothing more
        /// specific to say: no ErrorId reaches a user without one (a test enumerates these constants).
        /// </summary>
        public static string? RecommendedActionFor(string errorId) =>
            DefaultActions.TryGetValue(errorId, out var action) ? action : null;

        private static readonly System.Collections.Generic.Dictionary<string, string> DefaultActions = new System.Collections.Generic.Dictionary<string, string>(System.StringComparer.Ordinal)
        {
            [InvalidBaseUri] = "Give the API base as an absolute https URI ending in /api/, for example Connect-Caxton -BaseUri https://caxtonapi.caxtonfx.com/api/, or use -Environment.",
            [InsecureBaseUri] = "Use https, or http only with a loopback host (127.0.0.1, ::1, localhost) where the local emulator runs; check the host for a typo.",
            [UnknownEnvironment] = "Use -Environment Sandbox, Staging or Production, or give -BaseUri.",
            [NoClientCredential] = "Run Connect-Caxton -Credential (Username and ClientPassword) or New-CaxtonPassword -Username -Clientname; or pass -Credential to Get-CaxtonToken, or set CAXTON_USERNAME and CAXTON_CLIENTPASSWORD.",
            [InvalidCredentials] = "Check the Username and ClientPassword. A client password lasts about 30 days from New-CaxtonPassword; after Reset-CaxtonCredential, run New-CaxtonPassword again.",
            [TokenRequestRejected] = "Read the OAuth error on the exception ($error[0].Exception.OAuthError); check the base URI and the Username, and quote the support reference to Caxton if it persists.",
            [Unauthorized] = "The token is missing, expired or revoked: get a new one with Get-CaxtonToken -Force.",
            [ApiStatusNotValid] = "Read $error[0].Exception.ApiStatus and .ApiStatusDescription; check the Username, Clientname and IdentityNumber the call named.",
            [HttpError] = "Check the base URI and the path; if Caxton itself failed, try again later and quote the support reference (the response's Date and request id) to Caxton.",
            [InvalidResponse] = "Check that the base URI points at the Caxton API (it ends in /api/).",
            [ConnectionFailed] = "Check the host name, the network path and any proxy (Connect-Caxton -Proxy), then try again.",
            [RequestTimeout] = "Check the network path to the API, or allow longer with Connect-Caxton -TimeoutSec.",
            [ResponseTooLarge] = "Ask for less (a narrower query), or check that the base URI points at the Caxton API.",
            [ClientPasswordExpired] = "Rotate it: Reset-CaxtonCredential -Regenerate -ExpiringWithin (New-TimeSpan -Days 7) -Credential <the stored credential>, or Reset-CaxtonCredential, then New-CaxtonPassword, then Get-CaxtonToken.",
            [ConnectionNotFound] = "List this runspace's connections with Get-CaxtonConnection -ListAvailable, or create it with Connect-Caxton -Name.",
            [InvalidHeaderValue] = "Remove control characters, line breaks and non-ASCII characters from the value.",
            [InvalidContentType] = "Give a media type such as application/json.",
            [PathOutsideBaseUri] = "Give a path relative to the base URI, such as reference/lookup/banks/GBP, or use a connection to that host.",
            [InvalidTimeout] = "Give a positive timeout, for example Connect-Caxton -TimeoutSec 60.",
            [ProxyUriRequired] = "Add -Proxy with the proxy's URI, or drop -ProxyCredential to use the system proxy.",
            [InvalidProxyUri] = "Give -Proxy as http://host:port/ only, and the proxy's user name and password with -ProxyCredential.",
            [ProxyCredentialConflict] = "Give either -ProxyCredential or -ProxyUseDefaultCredentials, not both.",
            [InvalidBody] = "Give -Body as a string, bytes, or plain data (hashtables, arrays, strings, numbers) that JSON can hold.",
            [RegenerateIncomplete] = "Run the command the message names to finish the rotation.",
            [RegenerateTokenFailed] = "Store the new password now ($error[0].TargetObject is the password object); then get its token with Get-CaxtonToken -Credential <the stored credential>.",
            [SubAccountNamesRequired] = "Add -SubAccountUsername and -SubAccountClientname, the sub-account's own names.",
            [SubAccountNamesWithoutIdentityNumber] = "Add -IdentityNumber of the sub-account, or drop -SubAccountUsername and -SubAccountClientname to rotate the main account.",
            [SecretDisposed] = "Give a SecureString that is not disposed: read the Credential property again (each read is a copy).",
            [NotConnected] = "Run Connect-Caxton (-Environment or -BaseUri, and -Credential), or set CAXTON_BASEURI or CAXTON_ENVIRONMENT (with CAXTON_USERNAME and CAXTON_CLIENTPASSWORD) before the first call.",
            [PasswordExpiryUnknown] = "Give the stored password's EndDate with -ClientPasswordExpiresOn (keep it beside the credential: secret metadata, or the automation asset's description), or add -RotateIfUnknown to rotate anyway.",
            [RegenerateHandOffFailed] = "Store the new password yourself now: $error[0].TargetObject is the password object (its Credential and EndDate). Then fix the -OnNewCredential script block.",
            [MainPasswordExpired] = "Only Caxton can act now: ask Caxton support to reset the main account's credentials, then run New-CaxtonPassword.",
            [CredentialAccountMismatch] = "Give -Credential for the account being rotated: the main account's Username, or with -IdentityNumber the sub-account's own -SubAccountUsername.",
            [ProxyAuthenticationRequired] = "Give the proxy's credentials: Connect-Caxton -Proxy <proxy URI> -ProxyCredential (Get-Credential), or -ProxyUseDefaultCredentials to sign in to it as the current user.",
            [CertificateRejected] = "Check the host name in the base URI; if a TLS-inspection proxy or a private CA issued the certificate, trust its root for Caxton alone with Connect-Caxton -CertificateAuthority <root certificate file>.",
            [RedirectNotFollowed] = "If the new address is the API's, connect to it: Connect-Caxton -BaseUri with the redirect's base (https, ending in /api/).",
            [InvalidCertificateAuthority] = "Export the root certificate (Base64 .cer/.pem or DER) and give its path, or pass an X509Certificate2.",
            [ClientnameRequired] = "Add -Clientname, the Clientname of the Username the connection holds.",
            [UnexpectedError] = "Report it to the module's maintainers with the command you ran; $error[0] holds no secret.",
        };
    }
}
