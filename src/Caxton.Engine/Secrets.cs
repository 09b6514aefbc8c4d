using System;
using System.Runtime.InteropServices;
using System.Security;

namespace Caxton
{
    /// <summary>
    /// The one place secrets cross between SecureString and plain text. Public for the cmdlets, which
    /// call it only when the user asked for plain text (-AsPlainText, -AsHeader) or for a copy.
    /// </summary>
    public static class Secrets
    {
        public static SecureString ToSecureString(string plain)
        {
            var secure = new SecureString();
            foreach (var c in plain)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        public static string ToPlainText(SecureString secure)
        {
            if (secure is null || LengthOf(secure) == 0)
            {
                return string.Empty;
            }

            var pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(pointer, secure.Length);
            }
            catch (ObjectDisposedException)
            {
                throw Disposed();
            }
            finally
            {
                if (pointer != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(pointer);
                }
            }
        }

        /// <summary>The Authorization header value for a token, as Get-CaxtonToken -AsHeader gives it.</summary>
        public static string AuthorizationHeader(SecureString accessToken) => "Bearer " + ToPlainText(accessToken);

        internal static bool ConstantTimeEquals(SecureString left, SecureString right)
        {
            var a = ToPlainText(left);
            var b = ToPlainText(right);
            var difference = a.Length ^ b.Length;
            for (var i = 0; i < a.Length && i < b.Length; i++)
            {
                difference |= a[i] ^ b[i];
            }

            return difference == 0;
        }

        /// <summary>A read-only copy, so a caller disposing its own SecureString cannot break a cached credential.</summary>
        public static SecureString ReadOnlyCopy(SecureString secure)
        {
            SecureString copy;
            try
            {
                copy = secure.Copy();
            }
            catch (ObjectDisposedException)
            {
                throw Disposed();
            }

            copy.MakeReadOnly();
            return copy;
        }

        private static int LengthOf(SecureString secure)
        {
            try
            {
                return secure.Length;
            }
            catch (ObjectDisposedException)
            {
                throw Disposed();
            }
        }

        /// <summary>A SecureString its owner disposed (say $p.ClientPassword.Dispose()): the caller's mistake, said plainly.</summary>
        private static CaxtonException Disposed() =>
            new CaxtonException(
                CaxtonErrorIds.SecretDisposed,
                CaxtonErrorKind.InvalidArgument,
                "The SecureString given (a client password or token) was disposed, so it no longer holds the secret. Give one that is not disposed: each read of a Caxton object's Credential property is a new copy.");
    }
}
