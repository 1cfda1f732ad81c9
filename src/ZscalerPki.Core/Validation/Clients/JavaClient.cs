namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Java PKIX (CertPathValidator "PKIX", the JSSE default TrustManager; Maven, Gradle, IntelliJ): sun.security.provider.certpath
/// BasicChecker (signature, validity, name chaining), ConstraintsChecker (basicConstraints, pathLen, name constraints),
/// KeyChecker (keyCertSign on CAs, critical extensions), PolicyChecker (RFC 5280 policy tree), and the JSSE endpoint
/// checks (HostnameChecker, EKU of the leaf). The trust anchor is a TrustAnchor (name and key); RFC 5280 section 4
/// profile rules are not checked. Revocation is on by default in PKIX but JSSE turns it off unless asked.
/// </summary>
public sealed class JavaClient : ClientProfile
{
    public override string Id => "java";

    public override string Name => "Java PKIX";

    /// <summary>JSSE's default trust manager does not check revocation (com.sun.net.ssl.checkRevocation is false by default).</summary>
    /// <remarks>
    /// X509CertImpl refuses an empty subject with a non-critical SAN and a critical AKI/SKI/AIA is an unrecognized critical
    /// extension, so those two profile codes stay checked.
    /// </remarks>
    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        ClientRuleSets.CertificateProfileCodes.Where(c => c is not (ChainProblemCodes.ExtensionMustBeNonCritical or ChainProblemCodes.SubjectAltNameNotCritical)),
        ClientRuleSets.RevocationCodes);

    /// <summary>
    /// The host name is Java's (<see cref="JavaHostnameChecker"/>), not the validator's RFC 6125 match: its
    /// HostnameMismatch is not checked when a DNS name was asked for.
    /// </summary>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem)
        && !(problem.Code == ChainProblemCodes.HostnameMismatch && facts.Request.DnsName is not null);

    /// <summary>
    /// A JSSE trust anchor is a certificate's name and key: <c>new TrustAnchor(cert, null)</c> (what a KeyStore gives) has no
    /// name constraints, and PKIX.ValidatorParams refuses an anchor that has them ("name constraints in trust anchor not
    /// supported"); the anchor certificate's own nameConstraints extension is never read (ConstraintsChecker.init starts
    /// with prevNC = null and the anchor is not on the CertPath). So the chain is validated without them.
    /// </summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts) =>
        facts.Request.TrustedRoots.Any(r => r.Extensions[Oids.NameConstraints] is not null)
            ? facts.ResultWith("java:anchor-name-and-key", r => r with { TrustAnchorNameConstraints = false })
            : facts.Result;

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var c in facts.Path.Where(c => c.IssuerEmpty))
            yield return new ClientReason("Client.EmptyIssuer", "Empty issuer DN not allowed in X509Certificates", c.Index);
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "KeyUsage does not allow digital signatures", 0);
        foreach (var c in facts.Path.Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on keysize limits", c.Index);
        if (facts.Request.At is { } at)
        {
            // X509CertImpl.checkValidity(Date) compares java.util.Date values: milliseconds, where the validator compares whole
            // seconds. Only the sub-second difference is added here (the validator reports the rest).
            var exact = at.UtcDateTime;
            var second = new DateTime(exact.Ticks - (exact.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            foreach (var c in facts.Path.Where(c => !c.IsTrustAnchor))
            {
                if (exact > c.NotAfter && second <= c.NotAfter)
                    yield return new ClientReason("Client.ExpiredMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)", c.Index);
                else if (exact < c.NotBefore && second >= c.NotBefore)
                    yield return new ClientReason("Client.NotYetValidMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)", c.Index);
            }
        }
        if (facts.Request.DnsName is { } host && facts.Path.Count > 0 && JavaHostnameChecker.MatchDns(host, facts.Path[0]) is { } hostError)
            yield return new ClientReason(ChainProblemCodes.HostnameMismatch, hostError, 0);
    }

    protected override bool IgnoresAnchorProblem(ChainProblem problem) =>
        problem.Code is ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid
            or ChainProblemCodes.KeyUsageMissingCertSign or ChainProblemCodes.UnknownCriticalExtension;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        ChainProblemCodes.SignatureInvalid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: signature check failed",
        ChainProblemCodes.Expired => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)",
        ChainProblemCodes.NotYetValid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)",
        ChainProblemCodes.CaBasicConstraintsInvalid => "PKIX path validation failed: sun.security.validator.ValidatorException: TrustAnchor is not a CA certificate",
        ChainProblemCodes.NotACA => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: this is not a CA certificate",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: pathLenConstraint violated",
        ChainProblemCodes.KeyUsageMissingCertSign => "PKIX path validation failed: java.security.cert.CertPathValidatorException: CA key usage check failed: keyCertSign bit is not set",
        ChainProblemCodes.UnknownCriticalExtension or ChainProblemCodes.ExtensionMustBeNonCritical => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Unrecognized critical extension(s)",
        ChainProblemCodes.SubjectAltNameNotCritical => "X.509 Certificate is incomplete: SubjectAlternativeName extension MUST be marked critical when subject field is empty",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "PKIX path validation failed: java.security.cert.CertPathValidatorException: name constraints check failed",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "PKIX path validation failed: java.security.cert.CertPathValidatorException: policy constraints check failed",
        ChainProblemCodes.HostnameMismatch => $"No subject alternative DNS name matching {facts.Request.DnsName} found.",
        ChainProblemCodes.IPAddressMismatch => $"No subject alternative names matching IP address {facts.Request.IPAddress} found",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch => "Extended key usage does not permit use for TLS server authentication",
        ChainProblemCodes.Revoked => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Certificate has been revoked",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm",
        _ => "PKIX path validation failed: " + problem.Message,
    };
}

/// <summary>
/// JSSE's host-name check for a DNS name: sun.security.util.HostnameChecker (TYPE_TLS, chainsToPublicCA false: a private
/// root) matchDNS, isMatched, hasIllegalWildcard, matchAllWildcards, matchWildCards, and javax.net.ssl.SNIHostName.
/// </summary>
internal static class JavaHostnameChecker
{
    /// <summary>Null when the leaf matches <paramref name="host"/>; otherwise Java's CertificateException message.</summary>
    public static string? MatchDns(string host, ClientCertificateFacts leaf)
    {
        // matchDNS: the expected name must be an SNIHostName (IDN.toASCII with USE_STD3_ASCII_RULES, not empty, no trailing dot).
        if (!IsSniHostName(host))
            return $"Illegal given domain name: {host}";
        if (leaf.DnsNames.Count > 0)
            return leaf.DnsNames.Any(n => IsMatched(host, n)) ? null : $"No subject alternative DNS name matching {host} found.";
        // No dNSName in subjectAltName: the most specific commonName of the subject.
        if (leaf.SubjectCommonName is { } cn)
        {
            if (!cn.IsNormalized(System.Text.NormalizationForm.FormKC))
                return $"Not a formal name {cn}";
            if (IsMatched(host, cn))
                return null;
        }
        return $"No name matching {host} found";
    }

    /// <summary>
    /// isMatched: both names are normalized to Unicode (IDN.toUnicode(IDN.toASCII(x)); a failure is no match), the template
    /// has no illegal wildcard and is an SNIHostName with '*' read as 'z'; then matchAllWildcards.
    /// </summary>
    private static bool IsMatched(string name, string template)
    {
        if (!IdnToAscii(name, std3: false) || !IdnToAscii(template, std3: false))
            return false;
        name = IdnToUnicode(name);
        template = IdnToUnicode(template);
        if (HasIllegalWildcard(template) || !IsSniHostName(template.Replace('*', 'z')))
            return false;
        return MatchAllWildcards(name, template);
    }

    /// <summary>
    /// java.net.IDN.toUnicode per label: an ACE label ("xn--") that decodes becomes its Unicode form; a label that does not
    /// decode (e.g. "xn--*-…") is kept as it is.
    /// </summary>
    private static string IdnToUnicode(string name) => string.Join('.', name.Split('.').Select(label =>
    {
        if (!label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            return label;
        try
        {
            return new System.Globalization.IdnMapping { AllowUnassigned = true }.GetUnicode(label);
        }
        catch (ArgumentException)
        {
            return label;
        }
    }));

    /// <summary>"*" and "*." are illegal, and so is a wildcard with no dot after it ("*com"); no public-suffix check for a private root.</summary>
    private static bool HasIllegalWildcard(string template)
    {
        if (template is "*" or "*.")
            return true;
        int last = template.LastIndexOf('*');
        return last >= 0 && template.IndexOf('.', last) < 0;
    }

    /// <summary>RFC 2818 3.1: the same number of labels (empty labels skipped, as StringTokenizer does), each matched with '*' as a glob inside the label.</summary>
    private static bool MatchAllWildcards(string name, string template)
    {
        var names = name.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        var templates = template.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length != templates.Length)
            return false;
        for (int i = 0; i < names.Length; i++)
        {
            if (!MatchWildcards(names[i], templates[i]))
                return false;
        }
        return true;
    }

    /// <summary>matchWildCards: the text before the first '*' must start the label, each later piece is found in order, the text after the last '*' ends it.</summary>
    private static bool MatchWildcards(string name, string template)
    {
        int wildcard = template.IndexOf('*');
        if (wildcard < 0)
            return name == template;
        bool beginning = true;
        string after = template;
        while (wildcard >= 0)
        {
            string before = after[..wildcard];
            after = after[(wildcard + 1)..];
            int at = name.IndexOf(before, StringComparison.Ordinal);
            if (at < 0 || (beginning && at != 0))
                return false;
            beginning = false;
            name = name[(at + before.Length)..];
            wildcard = after.IndexOf('*');
        }
        return name.EndsWith(after, StringComparison.Ordinal);
    }

    /// <summary>new SNIHostName(name): IDN.toASCII(name, USE_STD3_ASCII_RULES), then not empty and no trailing dot.</summary>
    private static bool IsSniHostName(string name) => IdnToAscii(name, std3: true) && name.Length > 0 && !name.EndsWith('.');

    /// <summary>
    /// java.net.IDN.toASCII per label: an ASCII label passes unchanged (with USE_STD3_ASCII_RULES only letters, digits and
    /// hyphens, no leading or trailing hyphen); a non-ASCII label is converted to punycode; a label over 63 characters fails.
    /// </summary>
    private static bool IdnToAscii(string name, bool std3)
    {
        foreach (var label in name.Split('.'))
        {
            string ascii = label;
            if (label.Any(ch => ch > 0x7F))
            {
                try
                {
                    ascii = new System.Globalization.IdnMapping { UseStd3AsciiRules = std3, AllowUnassigned = true }.GetAscii(label);
                }
                catch (ArgumentException)
                {
                    return false;
                }
            }
            else if (std3 && (label.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '-')) || label.StartsWith('-') || label.EndsWith('-')))
            {
                return false;
            }
            if (ascii.Length > 63)
                return false;
        }
        return true;
    }
}
