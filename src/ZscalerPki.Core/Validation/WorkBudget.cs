namespace ZscalerPki.Core.Validation;

/// <summary>
/// The total work one <see cref="ChainValidator.Validate(ChainValidationRequest)"/> call may do, shared by the path search
/// and every nested CRL-issuer sub-validation it starts. Each bound is a count, so a verdict never depends on the
/// machine's speed; together they keep any input well under a second. When a bound is hit,
/// <see cref="WorkBudgetExceededException"/> unwinds the whole validation and the result is a failure with
/// <see cref="ChainProblemCodes.WorkBudgetExceeded"/>.
/// </summary>
internal sealed class WorkBudget
{
    /// <summary>Issuer look-ups over all path searches of one validation (each search also has its own 2000-step bound).</summary>
    public const int MaxBuildSteps = 20_000;

    /// <summary>Signature verifications (certificates and CRLs) in one validation.</summary>
    public const int MaxSignatureVerifications = 200;

    /// <summary>Bytes hashed for signature verification in one validation (a large CRL counts its full size).</summary>
    public const long MaxSignedBytes = 64L * 1024 * 1024;

    /// <summary>Name-constraint comparisons (name × subtree pairs) in one validation.</summary>
    public const long MaxNameConstraintComparisons = 250_000;

    /// <summary>CRL-issuer sub-validations (path searches for a CRL signer's own certificate) in one validation.</summary>
    public const int MaxCrlSignerValidations = 64;

    /// <summary>Certificate × CRL pairs examined by revocation checking in one validation (many CRLs × many candidate paths).</summary>
    public const long MaxCrlExaminations = 200_000;

    /// <summary>Signature results of this validation; at most one entry per verification spent, so a linear search stays bounded.</summary>
    private List<CachedSignature>? _signatures;

    public int BuildSteps { get; private set; }
    public int SignatureVerifications { get; private set; }
    public long SignedBytes { get; private set; }
    public long NameConstraintComparisons { get; private set; }
    public int CrlSignerValidations { get; private set; }
    public long CrlExaminations { get; private set; }

    public void SpendCrlExaminations(int count)
    {
        CrlExaminations += count;
        if (CrlExaminations > MaxCrlExaminations)
        {
            throw new WorkBudgetExceededException($"more than {MaxCrlExaminations} certificate-CRL examinations");
        }
    }

    public void SpendBuildStep()
    {
        BuildSteps++;
        if (BuildSteps > MaxBuildSteps)
        {
            throw new WorkBudgetExceededException($"more than {MaxBuildSteps} issuer look-ups");
        }
    }

    public void SpendSignature(int signedBytes)
    {
        SignatureVerifications++;
        SignedBytes += signedBytes;
        if (SignatureVerifications > MaxSignatureVerifications)
        {
            throw new WorkBudgetExceededException($"more than {MaxSignatureVerifications} signature verifications");
        }
        if (SignedBytes > MaxSignedBytes)
        {
            throw new WorkBudgetExceededException($"more than {MaxSignedBytes / (1024 * 1024)} MiB of signed data hashed");
        }
    }

    public void SpendNameConstraintComparisons(long comparisons)
    {
        NameConstraintComparisons += comparisons;
        if (NameConstraintComparisons > MaxNameConstraintComparisons)
        {
            throw new WorkBudgetExceededException($"more than {MaxNameConstraintComparisons} name-constraint comparisons");
        }
    }

    public void SpendCrlSignerValidation()
    {
        CrlSignerValidations++;
        if (CrlSignerValidations > MaxCrlSignerValidations)
        {
            throw new WorkBudgetExceededException($"more than {MaxCrlSignerValidations} CRL-issuer validations");
        }
    }

    /// <summary>
    /// Verifies <paramref name="crl"/>'s signature with <paramref name="signer"/>'s key at most once per validation: the
    /// result is cached by CRL (parsed once per byte array) and public key (SubjectPublicKeyInfo, plus the issuer whose
    /// DSA parameters it inherits, if any).
    /// </summary>
    public SignatureCheck VerifyCrlSignature(ParsedCrl crl, ParsedCertificate signer, ParsedCertificate? signerIssuer, out string? reason)
    {
        var keyId = signer.KeyIdentity;
        if (SignatureVerifier.NeedsInheritedParameters(signer))
        {
            keyId += "|" + (signerIssuer?.Thumbprint ?? "");
        }
        if (TryGetCached(crl, keyId, out var cached))
        {
            reason = cached.Reason;
            return cached.Check;
        }
        SpendSignature(crl.Raw.Length);
        var check = crl.VerifySignature(signer, signerIssuer, out reason);
        (_signatures ??= new List<CachedSignature>()).Add(new CachedSignature(crl, keyId, check, reason));
        return check;
    }


    /// <summary>
    /// Verifies <paramref name="certificate"/>'s signature with <paramref name="issuer"/>'s key, once per validation for
    /// each certificate and key (path building may examine the same issuer link in many candidate paths).
    /// </summary>
    public SignatureCheck VerifyCertificateSignature(ParsedCertificate certificate, ParsedCertificate issuer, ParsedCertificate? issuerOfIssuer, out string? reason)
    {
        if (certificate.SignatureUnusedBits != 0)
        {
            reason = "the signature BIT STRING has unused bits";
            return SignatureCheck.Invalid;
        }
        var keyId = issuer.KeyIdentity;
        if (SignatureVerifier.NeedsInheritedParameters(issuer))
        {
            keyId += "|" + (issuerOfIssuer?.Thumbprint ?? "");
        }
        if (TryGetCached(certificate, keyId, out var cached))
        {
            reason = cached.Reason;
            return cached.Check;
        }
        SpendSignature(certificate.Tbs.Length);
        var check = SignatureVerifier.Verify(issuer, issuerOfIssuer, certificate.Tbs.Span, certificate.SignatureAlgorithm, certificate.SignatureValue, out reason);
        (_signatures ??= new List<CachedSignature>(4)).Add(new CachedSignature(certificate, keyId, check, reason));
        return check;
    }

    private bool TryGetCached(object signed, string keyId, out CachedSignature cached)
    {
        if (_signatures is not null)
        {
            foreach (var entry in _signatures)
            {
                if (ReferenceEquals(entry.Signed, signed) && string.Equals(entry.KeyId, keyId, StringComparison.Ordinal))
                {
                    cached = entry;
                    return true;
                }
            }
        }
        cached = default;
        return false;
    }

    /// <summary>A verified signature: the signed object (certificate or CRL), the key, and the outcome.</summary>
    private readonly record struct CachedSignature(object Signed, string KeyId, SignatureCheck Check, string? Reason);
}

/// <summary>Thrown inside the engine when a <see cref="WorkBudget"/> bound is hit; never leaves <see cref="ChainValidator"/>.</summary>
internal sealed class WorkBudgetExceededException : Exception
{
    public WorkBudgetExceededException(string bound)
        : base(bound)
    {
        Bound = bound;
    }

    /// <summary>Which bound was hit, e.g. "more than 500 signature verifications".</summary>
    public string Bound { get; }
}
