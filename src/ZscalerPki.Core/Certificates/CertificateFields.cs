using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// Decodes, where a certificate or CSR is read, every field a later step uses: the platform decodes lazily, so a
/// certificate whose outer structure parses could make <c>NotAfter</c>, <c>SubjectName.Name</c> or an extension's typed
/// getter throw a bare "ASN1 corrupted data" in the middle of a command, naming neither the file nor the field. Here such
/// input is refused when it is read, with the input and the field named.
/// </summary>
internal static class CertificateFields
{
    /// <summary>
    /// Checks subject, issuer, validity, serial number, public key and each known extension of <paramref name="certificate"/>;
    /// throws <c>InvalidCertificateData</c> (a base field) or <c>CertificateExtensionInvalid</c> (an extension) naming
    /// <paramref name="source"/> and the field.
    /// </summary>
    public static void Check(X509Certificate2 certificate, string source)
    {
        var field = "structure";
        try
        {
            field = "serial number";
            _ = certificate.SerialNumberBytes.Length;
            _ = certificate.SerialNumber;
            field = "issuer";
            CheckName(certificate.IssuerName);
            _ = certificate.Issuer;
            field = "validity (notBefore)";
            _ = certificate.NotBefore;
            field = "validity (notAfter)";
            _ = certificate.NotAfter;
            field = "subject";
            CheckName(certificate.SubjectName);
            _ = certificate.Subject;
            // The SubjectPublicKeyInfo is read from the DER, not through certificate.PublicKey: on .NET 8 the platform
            // cannot represent some keys the validator verifies (Ed25519, Ed448, DSA with inherited parameters).
            field = "public key";
            if (Locate(certificate.RawData) is { } malformed)
            {
                field = malformed;
                throw new CryptographicException("it does not read as RFC 5280 4.1 describes it");
            }
            field = "extensions";
            _ = certificate.Extensions.Count;
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            throw new PkiException(PkiErrorIds.InvalidCertificateData, PkiErrorCategory.InvalidData,
                $"The certificate in {source} cannot be used: its {field} cannot be decoded ({Detail(ex)}). It is damaged or was made by a faulty tool; have it issued again, or pass an intact copy.", source, ex);
        }
        foreach (var extension in certificate.Extensions)
        {
            if (ExtensionProblem(extension) is { } problem)
                throw new PkiException(PkiErrorIds.CertificateExtensionInvalid, PkiErrorCategory.InvalidData,
                    $"The certificate in {source} cannot be used: its {problem.Name} extension ({extension.Oid?.Value}) cannot be decoded ({problem.Detail}). It is damaged or was made by a faulty tool; have it issued again with well-formed extensions.", source);
        }
    }

    /// <summary>The same for a CSR's subject, public key and requested extensions: <c>InvalidCsr</c> naming the input and field.</summary>
    public static void CheckRequest(CertificateRequest request, string source)
    {
        var field = "subject";
        try
        {
            CheckName(request.SubjectName);
            field = "public key";
            CheckPublicKey(request.PublicKey);
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            throw new PkiException(PkiErrorIds.InvalidCsr, PkiErrorCategory.InvalidData,
                $"The CSR in {source} cannot be used: its {field} cannot be decoded ({Detail(ex)}). Generate the CSR again (New-IntermediateCsr) and submit the new file.", source, ex);
        }
        foreach (var extension in request.CertificateExtensions)
        {
            if (ExtensionProblem(extension) is { } problem)
                throw new PkiException(PkiErrorIds.InvalidCsr, PkiErrorCategory.InvalidData,
                    $"The CSR in {source} cannot be used: its requested {problem.Name} extension ({extension.Oid?.Value}) cannot be decoded ({problem.Detail}). Generate the CSR again (New-IntermediateCsr) and submit the new file.", source);
        }
    }

    /// <summary>
    /// Why an extension does not decode, or null: the platform's typed reader for the ones it has (RFC 5280 4.2.1.1-4.2.1.9,
    /// 4.2.1.12, 4.2.2.1) and the validator's reader (<see cref="ParsedCertificate"/>) for every extension it understands.
    /// </summary>
    private static (string Name, string Detail)? ExtensionProblem(X509Extension extension)
    {
        var oid = extension.Oid?.Value ?? string.Empty;
        var name = ParsedCertificate.ExtensionName(oid);
        try
        {
            switch (oid)
            {
                case "2.5.29.19":
                    var bc = new X509BasicConstraintsExtension(extension, extension.Critical);
                    _ = bc.CertificateAuthority;
                    _ = bc.HasPathLengthConstraint;
                    _ = bc.PathLengthConstraint;
                    break;
                case "2.5.29.15":
                    _ = new X509KeyUsageExtension(extension, extension.Critical).KeyUsages;
                    break;
                case "2.5.29.37":
                    _ = new X509EnhancedKeyUsageExtension(extension, extension.Critical).EnhancedKeyUsages.Count;
                    break;
                case "2.5.29.14":
                    _ = new X509SubjectKeyIdentifierExtension(extension, extension.Critical).SubjectKeyIdentifier;
                    break;
                case "2.5.29.35":
                    var aki = new X509AuthorityKeyIdentifierExtension(extension.RawData, extension.Critical);
                    _ = aki.KeyIdentifier;
                    _ = aki.NamedIssuer?.Name;
                    _ = aki.SerialNumber;
                    break;
                case "2.5.29.17":
                    var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                    _ = san.EnumerateDnsNames().Count();
                    _ = san.EnumerateIPAddresses().Count();
                    break;
                case "1.3.6.1.5.5.7.1.1":
                    var aia = new X509AuthorityInformationAccessExtension(extension.RawData, extension.Critical);
                    _ = aia.EnumerateCAIssuersUris().Count();
                    _ = aia.EnumerateOcspUris().Count();
                    break;
            }
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            return (name, Detail(ex));
        }
        return name == "extension" ? null : ParsedCertificate.DecodeProblem(oid, extension.Critical, extension.RawData) is { } problem ? (name, problem) : null;
    }

    /// <summary>
    /// A name as the commands read it: its text, each RDN's attribute and value (how the common name is found), and the
    /// validator's strict reader (RFC 5280 4.1.2.4: Name ::= SEQUENCE OF SET OF AttributeTypeAndValue).
    /// </summary>
    private static void CheckName(X500DistinguishedName name)
    {
        _ = name.Name;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements)
            {
                _ = rdn.GetSingleElementType().Value;
                // .NET cannot return a T61String (TeletexString) value as text; the engine's own parser below reads it
                // (as Latin-1, as OpenSSL and browsers do), and Mozilla roots shipped by Debian use it (Entrust 2048).
                if (T61Value(rdn.RawData) is { } t61)
                {
                    // Printable Latin-1 only: control characters (C0, DEL, C1) in a name are refused as before.
                    foreach (var b in t61)
                        if (b < 0x20 || b is >= 0x7F and < 0xA0)
                            throw new CryptographicException("a T61String holds control characters");
                }
                else
                {
                    _ = rdn.GetSingleElementValue();
                }
            }
        }
        DistinguishedName.Parse(name.RawData);
    }

    /// <summary>The contents of a single-valued RDN's (SET { SEQUENCE { type, value } }) value when it is a primitive T61String, else null.</summary>
    private static byte[]? T61Value(ReadOnlyMemory<byte> rdn)
    {
        try
        {
            var set = new AsnReader(rdn, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true);
            var attribute = set.ReadSequence();
            attribute.ReadObjectIdentifier();
            var tag = attribute.PeekTag();
            if (tag.TagClass != TagClass.Universal || tag.IsConstructed || tag.TagValue != (int)UniversalTagNumber.T61String)
                return null;
            var encoded = attribute.ReadEncodedValue().Span;
            AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.BER, out int offset, out int length, out _);
            return encoded.Slice(offset, length).ToArray();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first field of a certificate the platform refused that does not read as RFC 5280 4.1 describes it, for the
    /// message; null when each reads (the platform then objected to something deeper).
    /// </summary>
    public static string? Locate(byte[] der)
    {
        var field = "tbsCertificate";
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            var v0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
            field = "version";
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(v0))
                tbs.ReadSequence(v0).ReadInteger();
            field = "serial number";
            tbs.ReadIntegerBytes();
            field = "signature algorithm";
            tbs.ReadSequence();
            field = "issuer";
            ReadNameStrictly(tbs);
            field = "validity";
            var validity = tbs.ReadSequence();
            ParsedCertificate.ReadTime(validity);
            ParsedCertificate.ReadTime(validity);
            validity.ThrowIfNotEmpty();
            field = "subject";
            ReadNameStrictly(tbs);
            field = "public key";
            var spki = tbs.ReadSequence();
            spki.ReadSequence();
            spki.ReadBitString(out _);
            spki.ThrowIfNotEmpty();
            return null;
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            return field;
        }
    }

    /// <summary>A Name whose string values each decode as their type says (UTF8String, PrintableString, BMPString...).</summary>
    private static void ReadNameStrictly(AsnReader reader)
    {
        var name = reader.ReadSequence();
        while (name.HasData)
        {
            var rdn = name.ReadSetOf(skipSortOrderValidation: true);
            while (rdn.HasData)
            {
                var ava = rdn.ReadSequence();
                ava.ReadObjectIdentifier();
                var tag = ava.PeekTag();
                if (tag.TagClass == TagClass.Universal && (UniversalTagNumber)tag.TagValue is UniversalTagNumber.UTF8String
                        or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String or UniversalTagNumber.BMPString
                        or UniversalTagNumber.UniversalString or UniversalTagNumber.VisibleString or UniversalTagNumber.NumericString)
                    ava.ReadCharacterString((UniversalTagNumber)tag.TagValue);
                else
                    ava.ReadEncodedValue();
                ava.ThrowIfNotEmpty();
            }
        }
    }

    private static void CheckPublicKey(PublicKey key)
    {
        _ = key.Oid.Value;
        _ = key.EncodedKeyValue.RawData.Length;
    }

    private static bool IsDecodeFailure(Exception ex) =>
        ex is CryptographicException or AsnContentException or ArgumentException or FormatException or OverflowException or InvalidOperationException;

    private static string Detail(Exception ex) => ex.Message.Split('\n')[0].Trim().TrimEnd('.');
}
