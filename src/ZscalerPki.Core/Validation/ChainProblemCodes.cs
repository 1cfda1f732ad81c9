namespace ZscalerPki.Core.Validation;

/// <summary>
/// Stable problem codes of <see cref="ChainProblem.Code"/>. Scripts and tests match on these strings; they never change
/// meaning. RULES.md lists which rule raises which code.
/// </summary>
public static class ChainProblemCodes
{
    // ---- input / structure ----
    /// <summary>The certificate is not valid DER X.509 and could not be parsed.</summary>
    public const string MalformedCertificate = "MalformedCertificate";
    /// <summary>An extension could not be decoded, is empty where content is required, or appears twice.</summary>
    public const string MalformedExtension = "MalformedExtension";
    /// <summary>Validation could not be completed because some input could not be processed (the message says what); the chain is treated as invalid.</summary>
    public const string ValidationError = "ValidationError";
    /// <summary>Unsupported certificate version, or extensions in a v1/v2 certificate.</summary>
    public const string InvalidVersion = "InvalidVersion";

    // ---- RFC 5280 section 6.1 ----
    /// <summary>The signature does not verify with the issuer's public key.</summary>
    public const string SignatureInvalid = "SignatureInvalid";
    /// <summary>The signature or public-key algorithm is not supported, so the signature cannot be checked.</summary>
    public const string SignatureAlgorithmUnsupported = "SignatureAlgorithmUnsupported";
    /// <summary>
    /// The signature AlgorithmIdentifier's parameters are malformed or forbidden: Ed25519/Ed448 with parameters
    /// (RFC 8410 3), RSASSA-PSS parameters absent, not DER, trailerField other than 1 (RFC 4055 3.1), or outside the
    /// restriction of an id-RSASSA-PSS key (RFC 4055 3.3).
    /// </summary>
    public const string SignatureAlgorithmParametersInvalid = "SignatureAlgorithmParametersInvalid";
    /// <summary>The signature algorithm inside the TBS differs from the outer signatureAlgorithm.</summary>
    public const string SignatureAlgorithmMismatch = "SignatureAlgorithmMismatch";
    /// <summary>The validation time is after notAfter.</summary>
    public const string Expired = "Expired";
    /// <summary>The validation time is before notBefore.</summary>
    public const string NotYetValid = "NotYetValid";
    /// <summary>The issuer name does not equal the issuing certificate's subject name.</summary>
    public const string NameChainingFailed = "NameChainingFailed";
    /// <summary>A certificate used to issue another is not a CA (no basicConstraints cA=TRUE, or not v3).</summary>
    public const string NotACA = "NotACA";
    /// <summary>A basicConstraints pathLenConstraint above this certificate is exceeded.</summary>
    public const string PathLengthExceeded = "PathLengthExceeded";
    /// <summary>The path has more intermediate CAs than the requested maximum depth allows.</summary>
    public const string MaxDepthExceeded = "MaxDepthExceeded";
    /// <summary>An issuing certificate has keyUsage without keyCertSign.</summary>
    public const string KeyUsageMissingCertSign = "KeyUsageMissingCertSign";
    /// <summary>A critical extension that this engine does not process.</summary>
    public const string UnknownCriticalExtension = "UnknownCriticalExtension";
    /// <summary>A subject or subjectAltName is outside the permitted or inside the excluded subtrees of a CA above it.</summary>
    public const string NameConstraintViolation = "NameConstraintViolation";
    /// <summary>A name constraints extension is syntactically invalid (e.g. a wildcard dNSName, bad IP mask).</summary>
    public const string InvalidNameConstraint = "InvalidNameConstraint";
    /// <summary>An explicit policy is required but no acceptable policy is valid for the path.</summary>
    public const string PolicyRequired = "PolicyRequired";
    /// <summary>A policyMappings extension maps to or from anyPolicy.</summary>
    public const string PolicyMappingInvalid = "PolicyMappingInvalid";
    /// <summary>The policy tree grew beyond the engine's node budget.</summary>
    public const string PolicyTreeTooLarge = "PolicyTreeTooLarge";

    // ---- RFC 5280 section 4 profile (applied by both profiles) ----
    /// <summary>A certificate that is not self-issued lacks authorityKeyIdentifier.keyIdentifier (RFC 5280 4.2.1.1).</summary>
    public const string AuthorityKeyIdMissing = "AuthorityKeyIdMissing";
    /// <summary>A trust anchor certificate lacks a critical basicConstraints with cA=TRUE (RFC 5280 4.2.1.9).</summary>
    public const string CaBasicConstraintsInvalid = "CaBasicConstraintsInvalid";
    /// <summary>A CA certificate has an empty subject (RFC 5280 4.1.2.6).</summary>
    public const string CaSubjectEmpty = "CaSubjectEmpty";
    /// <summary>A certificate with an empty subject lacks a critical subjectAltName (RFC 5280 4.2.1.6).</summary>
    public const string SubjectAltNameNotCritical = "SubjectAltNameNotCritical";
    /// <summary>An extension that must be non-critical is critical (AKI, SKI, AIA, SIA, freshestCRL).</summary>
    public const string ExtensionMustBeNonCritical = "ExtensionMustBeNonCritical";
    /// <summary>keyCertSign is asserted but basicConstraints cA is not (RFC 5280 4.2.1.9).</summary>
    public const string KeyCertSignWithoutCA = "KeyCertSignWithoutCA";
    /// <summary>pathLenConstraint is present without cA=TRUE and keyCertSign (RFC 5280 4.2.1.9).</summary>
    public const string PathLenWithoutKeyCertSign = "PathLenWithoutKeyCertSign";

    // ---- revocation (RFC 5280 section 6.3) ----
    /// <summary>The certificate is listed on an applicable CRL.</summary>
    public const string Revoked = "Revoked";
    /// <summary>Revocation status could not be determined (CRLs found but none usable for all reasons).</summary>
    public const string RevocationUnknown = "RevocationUnknown";
    /// <summary>An applicable CRL exists but its nextUpdate is before the validation time (or a delta CRL for it is stale).</summary>
    public const string CrlExpired = "CrlExpired";
    /// <summary>No CRL from the certificate's issuer (or its CRL issuer) was supplied.</summary>
    public const string NoCrl = "NoCrl";

    // ---- path building / usage ----
    /// <summary>No path from the certificate to any trusted root could be built.</summary>
    public const string NoPathToTrustAnchor = "NoPathToTrustAnchor";
    /// <summary>Path building stopped at its work bound (too many candidates or too deep).</summary>
    public const string PathBuildingLimitExceeded = "PathBuildingLimitExceeded";
    /// <summary>The leaf does not match the requested DNS name.</summary>
    public const string HostnameMismatch = "HostnameMismatch";
    /// <summary>The leaf does not match the requested IP address.</summary>
    public const string IPAddressMismatch = "IPAddressMismatch";
    /// <summary>The leaf's extendedKeyUsage does not allow the requested purpose.</summary>
    public const string EkuMismatch = "EkuMismatch";

    // ---- WebPki profile ----
    /// <summary>WebPki: the leaf has no subjectAltName.</summary>
    public const string WebPkiLeafMissingSan = "WebPki.LeafMissingSan";
    /// <summary>WebPki: the leaf has basicConstraints cA=TRUE.</summary>
    public const string WebPkiLeafIsCA = "WebPki.LeafIsCA";
    /// <summary>WebPki: the leaf has no extendedKeyUsage, or it lacks the requested purpose.</summary>
    public const string WebPkiLeafMissingEku = "WebPki.LeafMissingEku";
    /// <summary>WebPki: the leaf's extendedKeyUsage contains anyExtendedKeyUsage.</summary>
    public const string WebPkiAnyEkuForbidden = "WebPki.AnyEkuForbidden";
    /// <summary>WebPki: a root certificate has extendedKeyUsage.</summary>
    public const string WebPkiRootHasEku = "WebPki.RootHasEku";
    /// <summary>WebPki: an intermediate's extendedKeyUsage excludes the requested purpose.</summary>
    public const string WebPkiCaEkuMismatch = "WebPki.CaEkuMismatch";
    /// <summary>WebPki: a certificate is not X.509 v3.</summary>
    public const string WebPkiNotV3 = "WebPki.NotV3";
    /// <summary>WebPki: a signature algorithm outside RSA PKCS#1/PSS or ECDSA with SHA-256/384/512.</summary>
    public const string WebPkiForbiddenSignatureAlgorithm = "WebPki.ForbiddenSignatureAlgorithm";
    /// <summary>WebPki: a public key other than RSA ≥ 2048 bits (multiple of 8) or ECDSA P-256/P-384/P-521.</summary>
    public const string WebPkiForbiddenPublicKey = "WebPki.ForbiddenPublicKey";
    /// <summary>WebPki: serial number is zero, negative, or longer than 20 octets.</summary>
    public const string WebPkiSerialNumberInvalid = "WebPki.SerialNumberInvalid";
    /// <summary>WebPki: a root's authorityKeyIdentifier lacks keyIdentifier or has authorityCertIssuer/SerialNumber.</summary>
    public const string WebPkiRootAuthorityKeyIdInvalid = "WebPki.RootAuthorityKeyIdInvalid";
    /// <summary>WebPki: a certificate that is not self-signed (including a cross-signed trust anchor) lacks authorityKeyIdentifier.keyIdentifier.</summary>
    public const string WebPkiAuthorityKeyIdMissing = "WebPki.AuthorityKeyIdMissing";

    // ---- issue 11: work bound, RFC 5280 section 4 additions, request constraints, WebPki additions ----
    /// <summary>Validation stopped because one call's total work bound (issuer look-ups, signature checks, hashed bytes, name-constraint comparisons, certificate-CRL examinations or CRL-issuer sub-validations, nested searches included) was hit; the chain is treated as invalid.</summary>
    public const string WorkBudgetExceeded = "WorkBudgetExceeded";
    /// <summary>An extension that must be critical is not: inhibitAnyPolicy (RFC 5280 4.2.1.14); nameConstraints (4.2.1.10; Rfc5280 profile only, browsers accept it non-critical).</summary>
    public const string ExtensionMustBeCritical = "ExtensionMustBeCritical";
    /// <summary>A certificate that is not a CA carries nameConstraints (RFC 5280 4.2.1.10).</summary>
    public const string NameConstraintsInEndEntity = "NameConstraintsInEndEntity";
    /// <summary>A CA certificate below the trust anchor lacks subjectKeyIdentifier (RFC 5280 4.2.1.2).</summary>
    public const string SubjectKeyIdMissing = "SubjectKeyIdMissing";
    /// <summary>A subjectAltName dNSName is not in the preferred name syntax, e.g. contains an underscore (RFC 5280 4.2.1.6).</summary>
    public const string SubjectAltNameInvalid = "SubjectAltNameInvalid";
    /// <summary>The leaf does not carry the requested e-mail address as an rfc822Name.</summary>
    public const string EmailAddressMismatch = "EmailAddressMismatch";
    /// <summary>The leaf's keyUsage lacks a requested key usage.</summary>
    public const string KeyUsageMismatch = "KeyUsageMismatch";
    /// <summary>A signature below the trust anchor uses an algorithm outside the request's acceptable signature algorithms.</summary>
    public const string SignatureAlgorithmNotAllowed = "SignatureAlgorithmNotAllowed";
    /// <summary>WebPki: the leaf's extendedKeyUsage is critical (CA/B BR 7.1.2.7.6).</summary>
    public const string WebPkiEkuCritical = "WebPki.EkuCritical";
    /// <summary>WebPki: the leaf's commonName is not a character-for-character copy of a SAN dNSName or the RFC 3986/5952 text of a SAN IP address, or appears twice (CA/B BR 7.1.4.3).</summary>
    public const string WebPkiCommonNameNotInSan = "WebPki.CommonNameNotInSan";
    /// <summary>WebPki: the requested host name matches only a wildcard dNSName that covers a public suffix (Public Suffix List), e.g. <c>*.co.uk</c>.</summary>
    public const string WebPkiWildcardOnPublicSuffix = "WebPki.WildcardOnPublicSuffix";
    /// <summary>A supplied intermediate is not on the validated path (only with the import-time option <see cref="ChainValidationRequest.RequireAllIntermediatesOnPath"/>).</summary>
    public const string IntermediateNotOnPath = "IntermediateNotOnPath";

    // ---- revocation: strict CRL reading and online fetching (RULES.md section "Reading CRLs strictly") ----
    /// <summary>The CRL's version field is wrong: an explicit v1, a value other than v1/v2, or a v1 CRL with extensions (RFC 5280 5.1.2.1).</summary>
    public const string CrlVersionInvalid = "CrlVersionInvalid";
    /// <summary>The CRL has an empty SEQUENCE where the syntax needs content (revokedCertificates, crlExtensions, crlEntryExtensions, issuingDistributionPoint).</summary>
    public const string CrlEmptySequence = "CrlEmptySequence";
    /// <summary>The CRL lists one certificate (issuer and serial) twice, so its status would depend on the order of the entries (RFC 5280 5.1.2.6).</summary>
    public const string CrlDuplicateEntry = "CrlDuplicateEntry";
    /// <summary>A CRL entry has a certificateIssuer extension but the CRL is not indirect (no issuingDistributionPoint with indirectCRL) (RFC 5280 5.3.3).</summary>
    public const string CrlEntryIssuerNotIndirect = "CrlEntryIssuerNotIndirect";
    /// <summary>The CRL's outer signatureAlgorithm differs from the signature field inside the signed part (RFC 5280 5.1.1.2).</summary>
    public const string CrlSignatureAlgorithmMismatch = "CrlSignatureAlgorithmMismatch";
    /// <summary>The only CRLs from the issuer do not cover the certificate (issuingDistributionPoint names another distribution point, or covers only user, CA or attribute certificates).</summary>
    public const string CrlScopeMismatch = "CrlScopeMismatch";
    /// <summary>No supplied certificate with the CRL issuer's name and the CRL's authority key identifier verifies the CRL (e.g. signed by the CA's previous key after a rollover).</summary>
    public const string CrlSignerNotFound = "CrlSignerNotFound";
    /// <summary>A CRL extension has the wrong criticality: cRLNumber or authorityKeyIdentifier critical, deltaCRLIndicator not critical (RFC 5280 5.2).</summary>
    public const string CrlExtensionCriticality = "CrlExtensionCriticality";
    /// <summary>-Online: a CRL distribution point (or AIA caIssuers URL) could not be fetched (unreachable, timeout, too large, not a CRL).</summary>
    public const string CrlUnreachable = "CrlUnreachable";
}
