namespace ZscalerPki.Core.Validation;

internal enum CertRole
{
    Anchor,
    Intermediate,
    Leaf,
    /// <summary>The end of a CRL-issuer sub-path (no usage rules).</summary>
    CrlSigner,
}

/// <summary>Where a rule reports a problem: the path's problem list and the certificate's index in the path (a struct: no allocation per check).</summary>
internal readonly record struct ProblemSink(Action<int, string, string, ChainProblemSeverity> Add, int Index)
{
    public void Error(string code, string message) => Add(Index, code, message, ChainProblemSeverity.Error);
}

/// <summary>
/// Certificate-profile rules of RFC 5280 section 4 (RULES.md section D), applied to every certificate of a path; then
/// the WebPki rules (<see cref="WebPkiRules"/>) when that profile is chosen.
/// </summary>
internal static class ProfileRules
{
    /// <summary>The extensions this engine processes; any other that is critical makes a certificate unusable.</summary>
    internal static readonly HashSet<string> Understood = new()
    {
        Oids.BasicConstraints, Oids.KeyUsage, Oids.ExtendedKeyUsage, Oids.SubjectAltName, Oids.IssuerAltName,
        Oids.NameConstraints, Oids.CertificatePolicies, Oids.PolicyMappings, Oids.PolicyConstraints, Oids.InhibitAnyPolicy,
        Oids.AuthorityKeyId, Oids.SubjectKeyId, Oids.CrlDistributionPoints, Oids.FreshestCrl, Oids.AuthorityInfoAccess, Oids.SubjectInfoAccess,
    };

    private static readonly HashSet<string> MustBeNonCritical = new()
    {
        Oids.AuthorityKeyId, Oids.SubjectKeyId, Oids.AuthorityInfoAccess, Oids.SubjectInfoAccess, Oids.FreshestCrl,
    };

    public static void CheckCertificate(ValidationContext context, ParsedCertificate certificate, CertRole role, int index, int lastIndex,
        Action<int, string, string, ChainProblemSeverity> add)
    {
        var error = new ProblemSink(add, index);
        bool isCa = certificate.BasicConstraints is { IsCA: true };

        foreach (var malformed in certificate.Malformed)
        {
            error.Error(ChainProblemCodes.MalformedExtension, "Malformed extension " + malformed + ".");
        }
        if (certificate.Version > 2)
        {
            error.Error(ChainProblemCodes.InvalidVersion, $"Unsupported certificate version {certificate.Version + 1}.");
        }
        else if (certificate.Version < 2 && certificate.Extensions.Count > 0)
        {
            error.Error(ChainProblemCodes.InvalidVersion, $"A version {certificate.Version + 1} certificate must not contain extensions.");
        }
        CheckCriticality(context, certificate, error);
        CheckBasicConstraintsAndKeyUsage(certificate, isCa, error);
        CheckNames(certificate, role, isCa, error);
        if (role != CertRole.Anchor)
        {
            if (!certificate.TbsSignatureAlgorithm.SameAs(certificate.SignatureAlgorithm))
            {
                error.Error(ChainProblemCodes.SignatureAlgorithmMismatch, "The TBS signature algorithm differs from the certificate's signatureAlgorithm.");
            }
            if (!certificate.IsSelfIssued && certificate.AuthorityKeyId?.KeyId is null)
            {
                error.Error(ChainProblemCodes.AuthorityKeyIdMissing, "authorityKeyIdentifier with keyIdentifier is required in certificates that are not self-issued (RFC 5280 4.2.1.1).");
            }
            // The key identifier serves path construction, so it is required where a CA issues inside the path.
            if (role == CertRole.Intermediate && certificate.SubjectKeyId is null)
            {
                error.Error(ChainProblemCodes.SubjectKeyIdMissing, "A CA certificate must carry subjectKeyIdentifier (RFC 5280 4.2.1.2).");
            }
        }
        else
        {
            // RFC 5280 6.1 takes the anchor's name and key; a basicConstraints that is present with cA TRUE but not critical
            // (Zscaler's root, Mozilla's Go Daddy/Starfield Class 2 and ePKI roots) is accepted, as OpenSSL's default, NSS,
            // Chrome, Windows, Java and Go do. The strict client profile (OpenSSL X509_STRICT, Python >= 3.13) rejects it.
            if (certificate.BasicConstraints is not { IsCA: true })
            {
                error.Error(ChainProblemCodes.CaBasicConstraintsInvalid, certificate.BasicConstraints is null
                    ? "The trust anchor has no basicConstraints extension."
                    : "The trust anchor's basicConstraints cA is FALSE.");
            }
            if (lastIndex > 0 && certificate.KeyUsage is { } anchorKeyUsage && (anchorKeyUsage & KeyUsageBits.KeyCertSign) == 0)
            {
                error.Error(ChainProblemCodes.KeyUsageMissingCertSign, "The trust anchor's keyUsage lacks keyCertSign.");
            }
        }

        if (context.Request.Profile == ValidationProfile.WebPki)
        {
            WebPkiRules.CheckCertificate(context, certificate, role, error);
        }
    }

    /// <summary>Unknown critical extensions; extensions that must not be, or must be, critical.</summary>
    private static void CheckCriticality(ValidationContext context, ParsedCertificate certificate, ProblemSink error)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Critical)
            {
                if (MustBeNonCritical.Contains(extension.Oid))
                {
                    error.Error(ChainProblemCodes.ExtensionMustBeNonCritical, $"Extension {extension.Oid} must not be critical (RFC 5280 4.2).");
                }
                else if (!Understood.Contains(extension.Oid))
                {
                    error.Error(ChainProblemCodes.UnknownCriticalExtension, $"Unknown critical extension {extension.Oid}.");
                }
                continue;
            }
            // RFC 5280 4.2.1.11 also asks for a critical policyConstraints, but NIST PKITS (RFC 3280, where it may be
            // non-critical) marks it non-critical in 28 valid cases; PKITS wins (x509-limbo rfc5280::pc::ica-noncritical-pc
            // is a listed mismatch).
            if (extension.Oid == Oids.InhibitAnyPolicy)
            {
                error.Error(ChainProblemCodes.ExtensionMustBeCritical, "inhibitAnyPolicy must be critical (RFC 5280 4.2.1.14).");
            }
            // Browsers accept a non-critical nameConstraints (x509-limbo: rfc5280-incompatible-with-webpki), so only Rfc5280 asks for it.
            else if (extension.Oid == Oids.NameConstraints && context.Request.Profile == ValidationProfile.Rfc5280)
            {
                error.Error(ChainProblemCodes.ExtensionMustBeCritical, "nameConstraints must be critical (RFC 5280 4.2.1.10).");
            }
        }
    }

    private static void CheckBasicConstraintsAndKeyUsage(ParsedCertificate certificate, bool isCa, ProblemSink error)
    {
        bool keyUsageLacksCertSign = certificate.KeyUsage is { } keyUsage && (keyUsage & KeyUsageBits.KeyCertSign) == 0;
        if (certificate.BasicConstraints?.PathLength is not null && (!isCa || keyUsageLacksCertSign))
        {
            error.Error(ChainProblemCodes.PathLenWithoutKeyCertSign, "pathLenConstraint is present but cA is FALSE or keyCertSign is not asserted.");
        }
        if (certificate.KeyUsage is { } usage && (usage & KeyUsageBits.KeyCertSign) != 0 && !isCa)
        {
            error.Error(ChainProblemCodes.KeyCertSignWithoutCA, "keyUsage asserts keyCertSign but basicConstraints cA is not TRUE.");
        }
        if (certificate.NameConstraints is not null && !isCa)
        {
            error.Error(ChainProblemCodes.NameConstraintsInEndEntity, "nameConstraints must be used only in a CA certificate (RFC 5280 4.2.1.10).");
        }
    }

    /// <summary>Subject and subjectAltName rules: a CA has a subject; an empty subject needs a critical SAN; dNSNames are in preferred name syntax.</summary>
    private static void CheckNames(ParsedCertificate certificate, CertRole role, bool isCa, ProblemSink error)
    {
        if (certificate.Subject.IsEmpty)
        {
            if (role is CertRole.Anchor or CertRole.Intermediate || isCa)
            {
                error.Error(ChainProblemCodes.CaSubjectEmpty, "A CA certificate must have a non-empty subject.");
            }
            else if (certificate.SubjectAltNames is null || !certificate.ExtensionsByOid[Oids.SubjectAltName].Critical)
            {
                error.Error(ChainProblemCodes.SubjectAltNameNotCritical, "The subject is empty, so subjectAltName must be present and critical.");
            }
        }
        foreach (var name in certificate.SubjectAltNames ?? Enumerable.Empty<GeneralName>())
        {
            if (name.Kind == GeneralNameKind.Dns && !IsPreferredNameSyntax(name.Text!))
            {
                error.Error(ChainProblemCodes.SubjectAltNameInvalid,
                    $"subjectAltName dNSName \"{name.Text}\" is not in the preferred name syntax (letters, digits and hyphens; RFC 5280 4.2.1.6).");
            }
        }
    }

    /// <summary>
    /// RFC 1034 3.5 as modified by RFC 1123 2.1: labels of 1-63 letters, digits and hyphens, not starting or ending with a
    /// hyphen, at most 253 characters; a left-most "*" label (a wildcard, RFC 6125) is allowed.
    /// </summary>
    internal static bool IsPreferredNameSyntax(string name)
    {
        if (name.Length == 0 || name.Length > 253)
        {
            return false;
        }
        int labelStart = 0;
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            labelStart = 2;
        }
        while (true)
        {
            int dot = name.IndexOf('.', labelStart);
            int labelEnd = dot < 0 ? name.Length : dot;
            if (!IsLdhLabel(name.AsSpan(labelStart, labelEnd - labelStart)))
            {
                return false;
            }
            if (dot < 0)
            {
                return true;
            }
            labelStart = dot + 1;
        }
    }

    private static bool IsLdhLabel(ReadOnlySpan<char> label)
    {
        if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }
        foreach (var character in label)
        {
            if (!char.IsAsciiLetterOrDigit(character) && character != '-')
            {
                return false;
            }
        }
        return true;
    }
}
