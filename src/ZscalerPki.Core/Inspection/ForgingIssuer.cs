using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// A CA prepared for forging: everything a leaf takes from its issuer (name, AKI, CDP/AIA, signature algorithm, validity
/// bounds) is encoded once here, and each thread signs with its own copy of the key, so forging holds no lock and shares
/// no mutable state. The chain to present (issuer first, root last) is kept as certificates and as DER.
/// </summary>
public sealed class ForgingIssuer : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly byte[]? _pkcs8;
    private readonly ThreadLocal<X509SignatureGenerator> _generators;
    private readonly List<AsymmetricAlgorithm> _clones = new();

    public ForgingIssuer(X509Certificate2 certificate, AsymmetricAlgorithm privateKey, IReadOnlyList<X509Certificate2> chainAboveIssuer,
        IssuerPublication? publication = null, string? label = null)
    {
        Label = label ?? $"'{certificate.Subject}'";
        RequireCa(certificate, Label);
        if (!Keys.SameKey(Keys.PublicKeyOf(privateKey), certificate.PublicKey))
            throw new PkiException(PkiErrorIds.IssuerKeyMismatch, PkiErrorCategory.InvalidData,
                $"The private key given for the issuer {Label} does not belong to its certificate. Pass the CA's own key (or the vault entry).", Label);
        Certificate = certificate;
        _key = privateKey;
        Chain = new[] { certificate }.Concat(chainAboveIssuer).ToArray();
        ChainDer = Chain.Select(c => c.RawData).ToArray();
        Publication = publication ?? IssuerPublication.None;
        // A new CDP/AIA for the CA makes it another issuer for the cache, so certificates without it are not returned.
        Id = certificate.GetCertHashString(HashAlgorithmName.SHA256)
            + (Publication.IsEmpty ? string.Empty : "-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Publication.Fingerprint)))[..16]);
        NameDer = certificate.SubjectName.RawData;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());

        (Hash, var generator) = privateKey switch
        {
            RSA rsa => (HashAlgorithmName.SHA256, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)),
            ECDsa ec => (ec.KeySize > 384 ? HashAlgorithmName.SHA512 : ec.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256,
                X509SignatureGenerator.CreateForECDsa(ec)),
            _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
                $"The issuer {Label} has a {privateKey.GetType().Name} key; only RSA and ECDSA CAs can forge.", Label),
        };
        SignatureAlgorithmDer = generator.GetSignatureAlgorithmIdentifier(Hash);
        try
        {
            _pkcs8 = privateKey.ExportPkcs8PrivateKey();
        }
        catch (CryptographicException)
        {
            _pkcs8 = null; // a non-exportable store key: all threads share it (OpenSSL/CNG signing is thread-safe per call)
        }
        _generators = new ThreadLocal<X509SignatureGenerator>(() => NewGenerator() ?? generator);

        AuthorityKeyIdentifierDer = CertificateForger.EncodeExtension("2.5.29.35", false, CaCertificateBuilder.AuthorityKeyIdentifier(certificate).RawData);
        var extra = new List<byte[]>();
        if (Publication.CrlDistributionPoints.Count > 0)
            extra.Add(CertificateForger.EncodeExtension("2.5.29.31", false, EncodeCdp(Publication.CrlDistributionPoints)));
        if (Publication.OcspUrls.Count + Publication.CaIssuersUrls.Count > 0)
            extra.Add(CertificateForger.EncodeExtension("1.3.6.1.5.5.7.1.1", false, EncodeAia(Publication.OcspUrls, Publication.CaIssuersUrls)));
        PublicationExtensionsDer = extra.SelectMany(e => e).ToArray();
    }

    public string Label { get; }
    /// <summary>SHA-256 thumbprint of the signing CA (+ a hash of its CDP/AIA): the issuer's part of the cache key (a re-issued or rotated CA is another issuer).</summary>
    public string Id { get; }
    public X509Certificate2 Certificate { get; }
    /// <summary>The signing CA followed by its issuers up to the root (when known): what a TLS server sends after the leaf.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }
    public IReadOnlyList<byte[]> ChainDer { get; }
    public byte[] NameDer { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    public HashAlgorithmName Hash { get; }
    public byte[] SignatureAlgorithmDer { get; }
    public byte[] AuthorityKeyIdentifierDer { get; }
    /// <summary>CDP and AIA extensions (DER, concatenated), from the publication hook.</summary>
    public byte[] PublicationExtensionsDer { get; }
    public IssuerPublication Publication { get; }

    /// <summary>Signs a TBSCertificate with this thread's key copy.</summary>
    public byte[] Sign(byte[] tbs) => _generators.Value!.SignData(tbs, Hash);

    private X509SignatureGenerator? NewGenerator()
    {
        if (_pkcs8 is null)
            return null;
        AsymmetricAlgorithm clone = _key is RSA ? RSA.Create() : ECDsa.Create();
        clone.ImportPkcs8PrivateKey(_pkcs8, out _);
        lock (_clones)
            _clones.Add(clone);
        return clone switch
        {
            RSA r => X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1),
            ECDsa e => X509SignatureGenerator.CreateForECDsa(e),
            _ => null,
        };
    }

    /// <summary>CA:TRUE, keyCertSign when keyUsage is present; otherwise <c>IssuerNotCa</c>.</summary>
    public static void RequireCa(X509Certificate2 certificate, string label)
    {
        var bc = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is null || !bc.CertificateAuthority)
            throw new PkiException(PkiErrorIds.IssuerNotCa, PkiErrorCategory.InvalidArgument,
                $"The issuer {label} is not a CA certificate (no basicConstraints CA:TRUE), so certificates it signs are rejected by every client. Choose an SSL-inspection intermediate or an enrollment CA.", label);
        var ku = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (ku is not null && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            throw new PkiException(PkiErrorIds.IssuerNotCa, PkiErrorCategory.InvalidArgument,
                $"The issuer {label} lacks the keyCertSign key usage, so certificates it signs are rejected. Choose another CA.", label);
    }

    private static byte[] EncodeCdp(IReadOnlyList<string> urls)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var url in urls)
            {
                using (w.PushSequence()) // DistributionPoint
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true))) // distributionPoint
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true))) // fullName GeneralNames
                    w.WriteCharacterString(UniversalTagNumber.IA5String, url, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }
        return w.Encode();
    }

    private static byte[] EncodeAia(IReadOnlyList<string> ocsp, IReadOnlyList<string> caIssuers)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var (oid, url) in ocsp.Select(u => ("1.3.6.1.5.5.7.48.1", u)).Concat(caIssuers.Select(u => ("1.3.6.1.5.5.7.48.2", u))))
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(oid);
                    w.WriteCharacterString(UniversalTagNumber.IA5String, url, new Asn1Tag(TagClass.ContextSpecific, 6));
                }
            }
        }
        return w.Encode();
    }

    public void Dispose()
    {
        _generators.Dispose();
        lock (_clones)
        {
            foreach (var c in _clones)
                c.Dispose();
            _clones.Clear();
        }
    }
}
