using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Caxton
{
    /// <summary>
    /// Why a server's certificate was refused, recorded by the handler's validation callback on the request
    /// that made the connection, so the transport can name the reason, the host and the issuer instead of
    /// the platform's "the SSL connection could not be established". The texts here come from the peer's
    /// certificate: the engine passes them through the redactor before they are in any message.
    /// </summary>
    public sealed class CertificateRejection
    {
        private const string PropertyKey = "Caxton.CertificateRejection";

        private CertificateRejection(string host, string reason, string? issuer, string? trustedBy)
        {
            Host = host;
            Reason = reason;
            Issuer = issuer;
            TrustedBy = trustedBy;
        }

        /// <summary>The host whose certificate was refused.</summary>
        public string Host { get; }

        /// <summary>"the certificate's name does not match ...", "untrusted chain ...", "expired on ...".</summary>
        public string Reason { get; }

        /// <summary>The certificate's issuer, as it names it (a TLS-inspection box shows up as its corporate root).</summary>
        public string? Issuer { get; }

        /// <summary>The subject of the -CertificateAuthority the connection trusts, when it has one.</summary>
        public string? TrustedBy { get; }

        /// <summary>What the callback recorded on <paramref name="request"/>, or null when it recorded nothing.</summary>
        public static CertificateRejection? Of(HttpRequestMessage request)
        {
#pragma warning disable CS0618 // Properties: the one per-request bag both .NET Framework and .NET have.
            return request.Properties.TryGetValue(PropertyKey, out var value) ? value as CertificateRejection : null;
#pragma warning restore CS0618
        }

        /// <summary>
        /// The validation a handler runs: the platform's verdict (chain, name, dates) stands, except that a
        /// chain the platform did not trust is accepted when it ends in <paramref name="authority"/>, checked in
        /// full on a chain of its own. Anything refused is recorded on the request.
        /// </summary>
        internal static bool Validate(HttpRequestMessage? request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? authority)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            string reason;
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                reason = "the server presented no certificate";
            }
            else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                reason = $"name mismatch: the certificate is for {NamesOf(certificate)}, not {request?.RequestUri?.Host}";
            }
            else if (authority != null)
            {
                var custom = ChainTo(certificate, chain, authority, out var status);
                if (custom)
                {
                    return true;
                }

                reason = Describe(status, certificate, $"it does not chain to the -CertificateAuthority '{authority.Subject}'");
            }
            else
            {
                reason = Describe(chain?.ChainStatus ?? Array.Empty<X509ChainStatus>(), certificate, "untrusted chain");
            }

            if (request != null)
            {
#pragma warning disable CS0618
                request.Properties[PropertyKey] = new CertificateRejection(request.RequestUri?.Host ?? "the server", reason, certificate?.Issuer, authority?.Subject);
#pragma warning restore CS0618
            }

            return false;
        }

        /// <summary>Builds a chain that trusts <paramref name="authority"/> alone: a custom trust store on .NET, the root compared by hand on .NET Framework.</summary>
        private static bool ChainTo(X509Certificate2 certificate, X509Chain? presented, X509Certificate2 authority, out X509ChainStatus[] status)
        {
            using (var chain = new X509Chain())
            {
                var policy = chain.ChainPolicy;
                policy.RevocationMode = X509RevocationMode.NoCheck; // as HttpClientHandler checks by default; a throwaway or inspection root publishes no CRL
                if (presented != null)
                {
                    foreach (var element in presented.ChainElements)
                    {
                        policy.ExtraStore.Add(element.Certificate);
                    }
                }

                var customStore = CustomTrustStore(policy);
                if (customStore != null)
                {
                    customStore.Add(authority);
                    var built = chain.Build(certificate);
                    status = chain.ChainStatus;
                    return built;
                }

                // .NET Framework has no custom trust store: allow an unknown root, then require that the root
                // is exactly this authority and that nothing else is wrong with the chain.
                policy.ExtraStore.Add(authority);
                policy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.Build(certificate);
                var problems = new List<X509ChainStatus>();
                foreach (var item in chain.ChainStatus)
                {
                    if (item.Status != X509ChainStatusFlags.UntrustedRoot && item.Status != X509ChainStatusFlags.NoError)
                    {
                        problems.Add(item);
                    }
                }

                var elements = chain.ChainElements;
                var root = elements.Count == 0 ? null : elements[elements.Count - 1].Certificate;
                var endsInAuthority = root != null && SameCertificate(root, authority);
                status = problems.ToArray();
                return problems.Count == 0 && endsInAuthority;
            }
        }

        /// <summary>X509ChainPolicy.CustomTrustStore with TrustMode set to CustomRootTrust (.NET 5+), or null on .NET Framework.</summary>
        private static X509Certificate2Collection? CustomTrustStore(X509ChainPolicy policy)
        {
            // Reflection: this assembly targets netstandard2.0, whose X509ChainPolicy lacks both.
            var trustMode = typeof(X509ChainPolicy).GetProperty("TrustMode");
            var store = typeof(X509ChainPolicy).GetProperty("CustomTrustStore");
            if (trustMode is null || store is null)
            {
                return null;
            }

            trustMode.SetValue(policy, Enum.ToObject(trustMode.PropertyType, 1)); // X509ChainTrustMode.CustomRootTrust
            return store.GetValue(policy) as X509Certificate2Collection;
        }

        private static bool SameCertificate(X509Certificate2 a, X509Certificate2 b)
        {
            var x = a.RawData;
            var y = b.RawData;
            if (x.Length != y.Length)
            {
                return false;
            }

            for (var i = 0; i < x.Length; i++)
            {
                if (x[i] != y[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static string Describe(X509ChainStatus[] status, X509Certificate2 certificate, string otherwise)
        {
            var flags = X509ChainStatusFlags.NoError;
            foreach (var item in status)
            {
                flags |= item.Status;
            }

            var now = DateTime.Now;
            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0 || certificate.NotAfter < now || certificate.NotBefore > now)
            {
                return certificate.NotAfter < now
                    ? $"expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
                    : certificate.NotBefore > now
                        ? $"not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
                        : "a certificate in its chain has expired";
            }

            if ((flags & X509ChainStatusFlags.Revoked) != 0)
            {
                return "revoked";
            }

            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return "untrusted chain: its root is not trusted here";
            }

            return flags == X509ChainStatusFlags.NoError ? otherwise : $"{otherwise} ({flags})";
        }

        /// <summary>The DNS names the certificate is for, or its subject when it lists none.</summary>
        private static string NamesOf(X509Certificate2 certificate)
        {
            var name = certificate.GetNameInfo(X509NameType.DnsName, false);
            return string.IsNullOrEmpty(name) ? certificate.Subject : name;
        }
    }
}
