using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Emulator;

namespace ZscalerPki.Core.Tests.Tenant;

/// <summary>A clock that the test moves: sleeps are recorded and advance it at once, so waits cost no time.</summary>
internal sealed class FakeClock : ITenantClock
{
    public TimeSpan Offset { get; set; }
    public List<TimeSpan> Sleeps { get; } = new();
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow + Offset;

    public void Sleep(TimeSpan delay, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        Sleeps.Add(delay);
        Offset += delay;
    }
}

internal static class TenantTestKit
{
    public static TenantConnectRequest OneApi(ZscalerEmulator emulator, ITenantClock? clock = null, TimeSpan? maxWait = null) => new()
    {
        Method = TenantAuthMethod.OneApiClientSecret,
        ClientId = emulator.ClientId,
        ClientSecret = new TenantSecret(emulator.ClientSecret),
        BaseUri = emulator.BaseUri,
        CustomerId = emulator.CustomerId,
        Clock = clock ?? new FakeClock(),
        MaxWait = maxWait ?? TimeSpan.FromMinutes(5),
        RetryDelay = TimeSpan.FromSeconds(2),
    };

    public static TenantGate Always(List<string>? sent = null) => (_, requests) =>
    {
        sent?.AddRange(requests);
        return true;
    };

    public static ZiaCsrRequest Csr(string name, int pathLength = 0) => new()
    {
        Name = name,
        CommonName = name + " SSL Inspection CA",
        Organization = "Contoso",
        Department = "IT",
        City = "Seattle",
        State = "Washington",
        Country = "US",
        PathLength = pathLength,
    };

    /// <summary>A root CA of our own (the AD CS / vault CA stand-in) with its key.</summary>
    private static readonly Lazy<(X509Certificate2, RSA)> SharedRoot = new(() => NewRoot("Contoso Test Root"));

    /// <summary>The tests' root CA (one per process; RSA keys take time on a shared machine).</summary>
    public static (X509Certificate2 Cert, RSA Key) Root() => SharedRoot.Value;

    public static (X509Certificate2 Cert, RSA Key) NewRoot(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, O=Contoso", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10)), key);
    }

    /// <summary>Signs a CSR as a subordinate CA (the profile Submit-CertificateRequest uses), optionally spoiled.</summary>
    public static X509Certificate2 Sign(string csrPem, (X509Certificate2 Cert, RSA Key) issuer, int pathLength = 0, string? overrideSubject = null, bool ca = true, HashAlgorithmName? hash = null)
    {
        var csr = IntermediateCsr.Read(System.Text.Encoding.ASCII.GetBytes(csrPem));
        var request = new CertificateRequest(overrideSubject is null ? csr.Subject : new X500DistinguishedName(overrideSubject), csr.PublicKey, hash ?? HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, ca, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Cert, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var generator = hash == HashAlgorithmName.SHA1 ? new Sha1RsaGenerator(issuer.Key) : X509SignatureGenerator.CreateForRSA(issuer.Key, RSASignaturePadding.Pkcs1);
        return request.Create(issuer.Cert.SubjectName, generator,
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2), serial);
    }
}

/// <summary>sha1WithRSAEncryption, which .NET's generator no longer writes: the weak-signature rule needs one.</summary>
internal sealed class Sha1RsaGenerator(RSA key) : X509SignatureGenerator
{
    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        Convert.FromHexString("300D06092A864886F70D0101050500");

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
        key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

    protected override PublicKey BuildPublicKey() => throw new NotSupportedException();
}
