using System.Runtime.InteropServices;
using System.Security;

namespace ZscalerPki.Infrastructure;

/// <summary>A SecureString's characters in a buffer that is zeroed when disposed.</summary>
internal sealed class RevealedSecret : IDisposable
{
    private readonly char[] _chars;

    private RevealedSecret(char[] chars) => _chars = chars;

    public ReadOnlyMemory<char> Memory => _chars;

    public static RevealedSecret From(SecureString? secure)
    {
        if (secure is null || secure.Length == 0)
            return new RevealedSecret(Array.Empty<char>());
        var chars = new char[secure.Length];
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            Marshal.Copy(ptr, chars, 0, chars.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
        return new RevealedSecret(chars);
    }

    public void Dispose() => Array.Clear(_chars);
}
