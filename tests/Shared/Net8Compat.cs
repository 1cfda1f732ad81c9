// Compiled into every test project. The test projects also run on .NET 8 (PowerShell 7.4's runtime), which has no
// X509CertificateLoader (added in .NET 9); this stand-in keeps the tests' code the same on both.
#if !NET9_0_OR_GREATER
#pragma warning disable SYSLIB0057
namespace System.Security.Cryptography.X509Certificates;

internal static class X509CertificateLoader
{
    public static X509Certificate2 LoadCertificate(byte[] data) => new(data);

    public static X509Certificate2 LoadCertificate(ReadOnlySpan<byte> data) => new(data.ToArray());

    public static X509Certificate2 LoadPkcs12(byte[] data, string? password) => new(data, password);
}
#endif
