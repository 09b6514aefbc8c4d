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
    }
}
