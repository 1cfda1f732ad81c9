using System.Net;
using System.Net.Sockets;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// The WebPki profile (RULES.md section F): browser and CA/Browser Forum Baseline Requirements rules applied in
/// addition to the RFC 5280 rules of <see cref="ProfileRules"/>.
/// </summary>
internal static class WebPkiRules
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";

    private static readonly HashSet<string> SignatureAlgorithms = new()
    {
        "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", // RSA PKCS#1 v1.5 SHA-256/384/512
        RsaPss, // RSASSA-PSS, only with the parameters of BR 7.1.3.2 (below)
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", // ECDSA SHA-256/384/512
    };

    private static readonly HashSet<string> Curves = new() { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35" };

    public static void CheckCertificate(ValidationContext context, ParsedCertificate certificate, CertRole role, ProblemSink error)
    {
        if (certificate.Version != 2)
        {
            error.Error(ChainProblemCodes.WebPkiNotV3, "Certificates must be X.509 v3 (CA/B BR 7.1.1).");
        }
        CheckPublicKey(certificate, error);
        if (role == CertRole.Anchor)
        {
            CheckAnchor(certificate, error);
            return;
        }
        if (!SignatureAlgorithms.Contains(certificate.SignatureAlgorithm.Oid))
        {
            error.Error(ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm,
                $"Signature algorithm {certificate.SignatureAlgorithm.Oid} is not allowed (RSA PKCS#1/PSS or ECDSA with SHA-256/384/512 only).");
        }
        else if (certificate.SignatureAlgorithm.Oid == RsaPss
            && PssParameters.Parse(certificate.SignatureAlgorithm.Parameters, forSignature: true, out _, out _) is { } pss
            && (pss.Hash == System.Security.Cryptography.HashAlgorithmName.SHA1 || !pss.DotNetCanVerify))
        {
            // BR 7.1.3.2: RSASSA-PSS only as SHA-256/384/512 with MGF1 of the same hash and salt = hash length. The
            // verifier accepts any RFC 4055 parameters (through BouncyCastle); the WebPki profile does not.
            error.Error(ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm,
                $"RSASSA-PSS with {pss.Hash.Name}, MGF1-{pss.MgfHash.Name} and salt length {pss.SaltLength} is not allowed (CA/B BR 7.1.3.2: SHA-256/384/512, MGF1 of the same hash, salt = hash length).");
        }
        var serial = certificate.Serial;
        if (serial.Length > 20 || serial.Length == 0 || (serial[0] & 0x80) != 0 || serial.All(b => b == 0))
        {
            error.Error(ChainProblemCodes.WebPkiSerialNumberInvalid, "The serial number must be positive, non-zero and at most 20 octets (CA/B BR 7.1).");
        }
        if (role == CertRole.Intermediate)
        {
            var purpose = UsageRules.PurposeOid(context.Request.Purpose);
            if (purpose is not null && certificate.ExtendedKeyUsage is { } eku && !eku.Contains(purpose) && !eku.Contains(Oids.AnyEku))
            {
                error.Error(ChainProblemCodes.WebPkiCaEkuMismatch, $"The intermediate's extKeyUsage does not include {purpose}.");
            }
        }
        if (role == CertRole.Leaf)
        {
            CheckLeaf(context, certificate, error);
        }
    }

    private static void CheckPublicKey(ParsedCertificate certificate, ProblemSink error)
    {
        var (bits, curve) = SignatureVerifier.KeyInfo(certificate);
        switch (certificate.SpkiAlgorithm.Oid)
        {
            case RsaEncryption:
                if (bits < 2048 || bits % 8 != 0)
                {
                    error.Error(ChainProblemCodes.WebPkiForbiddenPublicKey, $"RSA key of {bits} bits; at least 2048 bits, a multiple of 8, is required.");
                }
                break;
            case EcPublicKey:
                if (curve is null || !Curves.Contains(curve))
                {
                    error.Error(ChainProblemCodes.WebPkiForbiddenPublicKey, $"EC key on curve {curve ?? "(explicit parameters)"}; only P-256, P-384 and P-521 are allowed.");
                }
                break;
            default:
                error.Error(ChainProblemCodes.WebPkiForbiddenPublicKey, $"Public key algorithm {certificate.SpkiAlgorithm.Oid} is not allowed (RSA or ECDSA only).");
                break;
        }
    }

    private static void CheckAnchor(ParsedCertificate certificate, ProblemSink error)
    {
        if (certificate.ExtendedKeyUsage is not null)
        {
            error.Error(ChainProblemCodes.WebPkiRootHasEku, "A root certificate must not contain extKeyUsage (CA/B BR 7.1.2.1.2).");
        }
        if (certificate.AuthorityKeyId is { } authorityKeyId && (authorityKeyId.KeyId is null || authorityKeyId.Issuer is not null || authorityKeyId.Serial is not null))
        {
            error.Error(ChainProblemCodes.WebPkiRootAuthorityKeyIdInvalid, "A root's authorityKeyIdentifier must contain keyIdentifier only (CA/B BR 7.1.2.1.3).");
        }
        if (!certificate.IsSelfIssued && certificate.AuthorityKeyId?.KeyId is null)
        {
            error.Error(ChainProblemCodes.WebPkiAuthorityKeyIdMissing, "A trust anchor that is not self-issued (cross-signed) must carry authorityKeyIdentifier.keyIdentifier.");
        }
    }

    private static void CheckLeaf(ValidationContext context, ParsedCertificate certificate, ProblemSink error)
    {
        if (certificate.SubjectAltNames is null)
        {
            error.Error(ChainProblemCodes.WebPkiLeafMissingSan, "The leaf must contain subjectAltName (CA/B BR 7.1.2.7.12).");
        }
        if (certificate.BasicConstraints is { IsCA: true })
        {
            error.Error(ChainProblemCodes.WebPkiLeafIsCA, "The leaf must not be a CA (basicConstraints cA MUST be FALSE, CA/B BR 7.1.2.7.8).");
        }
        var purposeOid = UsageRules.PurposeOid(context.Request.Purpose == ChainPurpose.Any ? ChainPurpose.ServerAuth : context.Request.Purpose)!;
        if (certificate.ExtendedKeyUsage is null || !certificate.ExtendedKeyUsage.Contains(purposeOid))
        {
            error.Error(ChainProblemCodes.WebPkiLeafMissingEku, $"The leaf's extKeyUsage must contain {purposeOid} (CA/B BR 7.1.2.7.10).");
        }
        if (certificate.ExtendedKeyUsage is { } eku && eku.Contains(Oids.AnyEku))
        {
            error.Error(ChainProblemCodes.WebPkiAnyEkuForbidden, "The leaf's extKeyUsage must not contain anyExtendedKeyUsage (CA/B BR 7.1.2.7.10).");
        }
        if (certificate.ExtensionsByOid.TryGetValue(Oids.ExtendedKeyUsage, out var ekuExtension) && ekuExtension.Critical)
        {
            error.Error(ChainProblemCodes.WebPkiEkuCritical, "The leaf's extKeyUsage must not be critical (CA/B BR 7.1.2.7.6).");
        }
        CheckCommonName(certificate, error);
    }

    /// <summary>
    /// CA/B BR 7.1.4.3 (subscriber commonName): at most one, and a copy of a subjectAltName value. A commonName that reads
    /// as an IP address (in any notation .NET parses: hex, leading zeros, upper case, uncompressed) must be the RFC 3986
    /// (IPv4) or RFC 5952 (IPv6) text of an iPAddress entry; any other commonName must be a character-for-character copy
    /// of a dNSName entry. Two leniencies keep long-standing certificates valid: a commonName is compared only when the
    /// SAN has entries of its kind, and "example.com" is accepted beside the wildcard "*.example.com".
    /// </summary>
    private static void CheckCommonName(ParsedCertificate certificate, ProblemSink error)
    {
        var commonNames = certificate.Subject.Attributes.Where(a => a.Oid == Oids.CommonName).Select(a => a.Value).ToList();
        if (commonNames.Count == 0)
        {
            return;
        }
        if (commonNames.Count > 1)
        {
            error.Error(ChainProblemCodes.WebPkiCommonNameNotInSan, "The leaf's subject has more than one commonName (CA/B BR 7.1.4.3).");
            return;
        }
        var commonName = commonNames[0];
        var sans = certificate.SubjectAltNames ?? new List<GeneralName>();
        bool matches;
        if (IPAddress.TryParse(commonName, out _))
        {
            var addresses = sans.Where(n => n.Kind == GeneralNameKind.IPAddress).ToList();
            if (addresses.Count == 0)
            {
                return;
            }
            matches = addresses.Any(n => string.Equals(CanonicalIpText(n.Bytes!), commonName, StringComparison.Ordinal));
        }
        else
        {
            var dnsNames = sans.Where(n => n.Kind == GeneralNameKind.Dns).Select(n => n.Text!).ToList();
            if (dnsNames.Count == 0)
            {
                return;
            }
            matches = dnsNames.Any(name => string.Equals(name, commonName, StringComparison.Ordinal)
                || string.Equals(name, "*." + commonName, StringComparison.Ordinal));
        }
        if (!matches)
        {
            error.Error(ChainProblemCodes.WebPkiCommonNameNotInSan,
                $"The leaf's commonName \"{commonName}\" is not a character-for-character copy of a subjectAltName entry (CA/B BR 7.1.4.3).");
        }
    }

    /// <summary>The text form CA/B BR 7.1.4.3 requires for an IP address: dotted decimal (IPv4), RFC 5952 (IPv6); null for other lengths.</summary>
    internal static string? CanonicalIpText(byte[] address)
    {
        if (address.Length != 4 && address.Length != 16)
        {
            return null;
        }
        var ip = new IPAddress(address);
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // .NET writes RFC 5952 form: lower case, no leading zeros, the first longest run of zero groups as "::".
            return ip.ToString().ToLowerInvariant();
        }
        return ip.ToString();
    }
}
