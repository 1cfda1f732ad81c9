using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Intermediate;

/// <summary>What a CSR says: subject, key, and the CA profile it requests (from its extensionRequest attribute).</summary>
public sealed record CsrInfo
{
    public required X500DistinguishedName Subject { get; init; }
    public required PublicKey PublicKey { get; init; }
    /// <summary>True/false when the CSR requests basicConstraints; null when it does not.</summary>
    public bool? RequestsCa { get; init; }
    /// <summary>The requested pathLenConstraint, when any.</summary>
    public int? PathLength { get; init; }
    /// <summary>The AD CS template requested through szOID_ENROLL_CERTTYPE_EXTENSION, when any.</summary>
    public string? CertificateTemplate { get; init; }
    /// <summary>Every requested extension.</summary>
    public required IReadOnlyList<X509Extension> Extensions { get; init; }
    public required byte[] Der { get; init; }

    public string Pem => new string(PemEncoding.Write("CERTIFICATE REQUEST", Der)) + "\n";
}

/// <summary>Builds the CSR of an SSL-inspection intermediate and reads CSRs handed in (PEM, DER, base64 without armour).</summary>
public static class IntermediateCsr
{
    /// <summary>szOID_ENROLL_CERTTYPE_EXTENSION: the AD CS (V1) certificate template name as a BMPString.</summary>
    public const string CertificateTemplateOid = "1.3.6.1.4.1.311.20.2";

    /// <summary>
    /// The subject in the order X.509 tools print it (C, ST, L, O, OU, CN); empty parts are left out.
    /// Country is validated as ISO 3166-1 alpha-2.
    /// </summary>
    public static X500DistinguishedName BuildSubject(string commonName, string? organization, string? department, string? city, string? state, string? country)
    {
        if (string.IsNullOrWhiteSpace(commonName))
            throw new PkiException(PkiErrorIds.CommonNameRequired, PkiErrorCategory.InvalidArgument,
                "-CommonName is required: it is the name browsers show as issuer of inspected sites (for example 'Contoso SSL Inspection CA').", commonName);
        var builder = new X500DistinguishedNameBuilder();
        try
        {
            // The builder encodes the last-added RDN first, so add from CN back to C to get C, ST, L, O, OU, CN in the DER.
            builder.AddCommonName(Limit(commonName.Trim(), 64, "-CommonName"));
            if (!string.IsNullOrWhiteSpace(department))
                builder.AddOrganizationalUnitName(Limit(department.Trim(), 64, "-Department"));
            if (!string.IsNullOrWhiteSpace(organization))
                builder.AddOrganizationName(Limit(organization.Trim(), 64, "-Organization"));
            if (!string.IsNullOrWhiteSpace(city))
                builder.AddLocalityName(Limit(city.Trim(), 128, "-City"));
            if (!string.IsNullOrWhiteSpace(state))
                builder.AddStateOrProvinceName(Limit(state.Trim(), 128, "-State"));
            if (!string.IsNullOrWhiteSpace(country))
                builder.AddCountryOrRegion(CountryCodes.Normalize(country));
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidArgument,
                $"The subject cannot be encoded: {ex.Message}. Use printable characters in -CommonName, -Organization, -Department, -City and -State.", commonName, ex);
        }
        return builder.Build();
    }

    private static string Limit(string value, int max, string parameter)
    {
        if (value.Length > max)
            throw new PkiException(PkiErrorIds.SubjectPartTooLong, PkiErrorCategory.InvalidArgument,
                $"{parameter} is {value.Length} characters long; X.520 (RFC 5280 upper bounds) allows at most {max}. Shorten it.", value);
        return value;
    }

    /// <summary>
    /// The CSR: basicConstraints critical CA:TRUE with <paramref name="pathLength"/>, keyUsage critical keyCertSign + cRLSign,
    /// subjectKeyIdentifier, and the AD CS template when given, all in the extensionRequest attribute; signed with the key.
    /// </summary>
    public static byte[] Create(X500DistinguishedName subject, RSA key, SignatureHash hash, int pathLength, string? certificateTemplate)
    {
        var request = new CertificateRequest(subject, key, hash.ToName(), RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, critical: false));
        if (!string.IsNullOrWhiteSpace(certificateTemplate))
            request.CertificateExtensions.Add(TemplateExtension(certificateTemplate.Trim()));
        return request.CreateSigningRequest();
    }

    /// <summary>szOID_ENROLL_CERTTYPE_EXTENSION with the template name.</summary>
    public static X509Extension TemplateExtension(string template)
    {
        if (template.Length > 256 || template.Any(c => char.IsSurrogate(c) || char.IsControl(c)))
            throw new PkiException(PkiErrorIds.InvalidTemplate, PkiErrorCategory.InvalidArgument,
                "The certificate template name must be at most 256 characters of the Basic Multilingual Plane, without control characters (AD CS template names are short, e.g. SubCA).", template);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.BMPString, template);
        return new X509Extension(CertificateTemplateOid, writer.Encode(), critical: false);
    }

    /// <summary>Reads a CSR from a file.</summary>
    public static CsrInfo ReadFile(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PkiException(PkiErrorIds.CsrFileUnreadable, PkiErrorCategory.ReadError, $"Cannot read the CSR file '{path}': {ex.Message}", path, ex);
        }
        return Read(data, $"the file '{path}'");
    }

    /// <summary>Reads a CSR: PEM (CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST), DER, or base64 without armour; its signature must verify.</summary>
    public static CsrInfo Read(ReadOnlySpan<byte> data, string source = "the input")
    {
        if (data.Trim(" \t\r\n\0"u8).IsEmpty)
            throw new PkiException(PkiErrorIds.CsrEmpty, PkiErrorCategory.InvalidData,
                $"{Capitalize(source)} is empty. Pass the CSR file New-IntermediateCsr wrote (or the Csr property of its output).", source);
        var der = ToDer(data, source);
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out var consumed,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions | CertificateRequestLoadOptions.SkipSignatureValidation);
            if (consumed != der.Length)
                throw NotACsr(source, "it has bytes after the request");
        }
        catch (CryptographicException ex)
        {
            throw NotACsr(source, "it is not a PKCS#10 certificate signing request", ex);
        }
        KeyPolicy.RequireAcceptableRequestSignature(der, $"the CSR in {source}");
        try
        {
            CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.CsrSignatureInvalid, PkiErrorCategory.SecurityError,
                $"The signature of the CSR in {source} does not verify with the key it carries: it was altered or damaged. Generate the CSR again (New-IntermediateCsr) and submit the new file.", source, ex);
        }

        // Subject, key and every requested extension decoded here, so signing never meets a bare "ASN1 corrupted data".
        CertificateFields.CheckRequest(request, source);
        var extensions = request.CertificateExtensions.ToList();
        var bc = extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        string? template = null;
        var templateExt = extensions.FirstOrDefault(e => e.Oid?.Value == CertificateTemplateOid);
        if (templateExt is not null)
        {
            try
            {
                template = new AsnReader(templateExt.RawData, AsnEncodingRules.BER).ReadCharacterString(UniversalTagNumber.BMPString);
            }
            catch (AsnContentException)
            {
            }
        }
        return new CsrInfo
        {
            Subject = request.SubjectName,
            PublicKey = request.PublicKey,
            RequestsCa = bc?.CertificateAuthority,
            PathLength = bc is { HasPathLengthConstraint: true } ? bc.PathLengthConstraint : null,
            CertificateTemplate = template,
            Extensions = extensions,
            Der = der,
        };
    }

    private static byte[] ToDer(ReadOnlySpan<byte> data, string source)
    {
        if (data[0] == 0x30)
            return data.ToArray();
        var text = Encoding.UTF8.GetString(data);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var span = text.AsSpan();
            while (PemScanner.TryFind(span, out var fields))
            {
                var label = span[fields.Label];
                if (label.SequenceEqual("CERTIFICATE REQUEST") || label.SequenceEqual("NEW CERTIFICATE REQUEST"))
                    return Convert.FromBase64String(span[fields.Base64Data].ToString());
                if (label.SequenceEqual("CERTIFICATE"))
                    throw new PkiException(PkiErrorIds.InputIsCertificate, PkiErrorCategory.InvalidData,
                        $"{Capitalize(source)} is a certificate, not a certificate signing request. Pass the CSR (New-IntermediateCsr -Path) instead; to import a signed certificate use Import-SignedIntermediate.", source);
                span = span[fields.Location.End..];
            }
            throw NotACsr(source, "it has no PEM CERTIFICATE REQUEST block");
        }
        var compact = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        try
        {
            return Convert.FromBase64String(compact);
        }
        catch (FormatException ex)
        {
            throw NotACsr(source, "it is neither PEM, DER nor base64", ex);
        }
    }

    private static PkiException NotACsr(string source, string why, Exception? inner = null) =>
        new(PkiErrorIds.InvalidCsr, PkiErrorCategory.InvalidData,
            $"Cannot read a certificate signing request from {source}: {why}. Pass a PKCS#10 CSR as PEM, DER or base64 (New-IntermediateCsr writes one).", source, inner);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
