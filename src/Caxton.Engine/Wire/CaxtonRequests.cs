using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Caxton.Wire
{
    /// <summary>
    /// Builds each endpoint's request exactly as the contract shows it: paths, headers, content types
    /// (text/json for Generate Password) and member casing; and names each endpoint's operation, as
    /// messages and traces show it.
    /// </summary>
    internal static class CaxtonRequests
    {
        public const string RegisterPath = "clients/auth/register";
        public const string TokenPath = "token";
        public const string DefaultResetPath = "clients/auth/reset";
        public const string SubsidiaryPath = "clients/subsidiary";
        public const string IdentityNumberHeader = "IdentityNumber";

        public const string GeneratePassword = "Generate Password";
        public const string GetAccessToken = "Get Access Token";
        public const string ResetClientCredentials = "Reset Client Credentials";
        public const string CreateSubsidiaryAccount = "Create Subsidiary Account";
        public const string CaxtonApi = "Caxton API";

        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            // Identifiers may hold '+' or non-ASCII letters; send them as they are, not as \u escapes.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        public static HttpRequestMessage Register(Uri baseUri, string username, string clientname)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, ApiPath.Combine(baseUri, RegisterPath))
            {
                Content = JsonBody("text/json", ("Username", username), ("Clientname", clientname)),
            };
            request.Headers.Accept.ParseAdd("application/json");
            return request;
        }

        public static HttpRequestMessage Token(Uri baseUri, string username, string clientPassword)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, ApiPath.Combine(baseUri, TokenPath))
            {
                Content = new FormUrlEncodedContent(new[]
                {
                    new KeyValuePair<string, string>("Grant_Type", "password"),
                    new KeyValuePair<string, string>("Username", username),
                    new KeyValuePair<string, string>("Password", clientPassword),
                }),
            };
            request.Headers.Accept.ParseAdd("*/*");
            return request;
        }

        /// <summary>
        /// Our decision (the docs publish no path or body): a JSON PUT; a sub-account reset carries the
        /// main account's bearer token and the IdentityNumber header, a main-account reset is anonymous.
        /// </summary>
        public static HttpRequestMessage Reset(Uri baseUri, string resetPath, string username, string clientname, string? identityNumber, string? bearerToken)
        {
            var members = identityNumber is null
                ? new[] { ("Username", username), ("Clientname", clientname) }
                : new[] { ("Username", username), ("Clientname", clientname), ("IdentityNumber", identityNumber) };
            var request = new HttpRequestMessage(HttpMethod.Put, ApiPath.Combine(baseUri, resetPath))
            {
                Content = JsonBody("application/json", members),
            };
            request.Headers.Accept.ParseAdd("application/json");
            AddIdentityNumber(request, identityNumber);
            if (bearerToken != null)
            {
                request.Headers.Authorization = Bearer(bearerToken);
            }

            return request;
        }

        /// <summary>Create Subsidiary Account: a JSON POST with the main account's bearer token.</summary>
        public static HttpRequestMessage Subsidiary(Uri baseUri, string companyName, string email, string bearerToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, ApiPath.Combine(baseUri, SubsidiaryPath))
            {
                Content = JsonBody("application/json", ("CompanyName", companyName), ("Email", email)),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Authorization = Bearer(bearerToken);
            return request;
        }

        /// <summary>
        /// Any authenticated API call. The path is relative to the base URI; an absolute URI is accepted
        /// only under the base URI, so the token is never sent to another host.
        /// </summary>
        public static HttpRequestMessage Api(Uri baseUri, HttpMethod method, string path, byte[]? body, string? contentType, string? identityNumber, string bearerToken)
        {
            var request = new HttpRequestMessage(method, ApiPath.Under(baseUri, path));
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Authorization = Bearer(bearerToken);
            AddIdentityNumber(request, identityNumber);
            if (body != null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = HeaderValues.ContentType(contentType ?? "application/json");
            }

            return request;
        }

        /// <summary>Checks what the caller gives for headers before anything is sent, the token included.</summary>
        public static void CheckHeaderArguments(string? identityNumber, string? contentType)
        {
            if (identityNumber != null)
            {
                HeaderValues.Require("-IdentityNumber", identityNumber);
            }

            if (contentType != null)
            {
                HeaderValues.ContentType(contentType);
            }
        }

        private static void AddIdentityNumber(HttpRequestMessage request, string? identityNumber)
        {
            if (identityNumber != null)
            {
                // Checked, then added with the header parser's own validation as a second guard.
                request.Headers.Add(IdentityNumberHeader, HeaderValues.Require("-IdentityNumber", identityNumber));
            }
        }

        private static AuthenticationHeaderValue Bearer(string token) =>
            new AuthenticationHeaderValue("Bearer", HeaderValues.Require("The access token", token));

        private static ByteArrayContent JsonBody(string mediaType, params (string Name, string Value)[] members)
        {
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    writer.WriteStartObject();
                    foreach (var (name, value) in members)
                    {
                        writer.WriteString(name, value);
                    }

                    writer.WriteEndObject();
                }

                var content = new ByteArrayContent(buffer.ToArray());

                // Exactly the documented media type, with no charset parameter added.
                content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                return content;
            }
        }
    }
}
