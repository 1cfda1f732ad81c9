namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Apple Security framework (SecTrustEvaluateWithError with SecPolicyCreateSSL; Safari, curl and git on macOS, URLSession):
/// RFC 5280 path validation (trustd), plus the TLS server requirements of macOS 10.15 / iOS 13 (Apple support HT210176), which
/// apply to roots users or MDM added (Zscaler's) too: RSA keys at least 2048 bits, no SHA-1 signatures, the host name in the
/// subjectAltName (Common Name ignored), extKeyUsage present with id-kp-serverAuth, and validity at most 825 days for
/// certificates issued after 1 July 2019. Not runnable here: documented rules, no agreement figure.
/// </summary>
public sealed class AppleClient : ClientProfile
{
    private static readonly DateTime ValidityRuleStart = new(2019, 7, 1, 0, 0, 0, DateTimeKind.Utc);

    public override string Id => "apple";

    public override string Name => "Apple (macOS/iOS SecTrust)";

    public override bool RunnableHere => false;

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes,
        new[] { ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge });

    private static string Host(ClientChainFacts facts) => facts.Request.DnsName ?? facts.Request.IPAddress?.ToString() ?? "the server";

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => $"errSecNotTrusted: “{Host(facts)}” certificate is not trusted",
        ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid => $"errSecCertificateExpired: “{Host(facts)}” certificate is expired",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch => $"errSecHostNameMismatch: “{Host(facts)}” certificate name does not match input",
        ChainProblemCodes.Revoked => $"errSecCertificateRevoked: “{Host(facts)}” certificate is revoked",
        _ => $"errSecNotTrusted: “{Host(facts)}” certificate is not standards compliant ({problem.Code})",
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        if (facts.Path.Count == 0)
            yield break;
        var leaf = facts.Path[0];
        var host = Host(facts);
        bool tls = facts.Request.Purpose == ChainPurpose.ServerAuth || facts.Request.DnsName is not null || facts.Request.IPAddress is not null;
        if (ClientRuleSets.HostNeedsSan(facts))
            yield return new ClientReason("Client.CommonNameNotUsed", $"errSecHostNameMismatch: “{host}” certificate name does not match input (Common Name is not used)", 0);
        if (tls && (leaf.ExtendedKeyUsages is not { } ekus || !ekus.Contains(Oids.ServerAuth)))
            yield return new ClientReason("Client.LeafEkuServerAuthRequired", $"errSecNotTrusted: “{host}” certificate is not standards compliant (extKeyUsage with id-kp-serverAuth required)", 0);
        if (tls && leaf.NotBefore >= ValidityRuleStart && (leaf.NotAfter - leaf.NotBefore).TotalDays > 825)
            yield return new ClientReason("Client.ValidityTooLong", $"errSecCertificateValidityPeriodTooLong: “{host}” certificate is not standards compliant (validity over 825 days)", 0);
        foreach (var c in facts.Path.Where(c => !c.IsTrustAnchor && ClientRuleSets.IsSha1OrMd5(c.SignatureAlgorithm)))
            yield return new ClientReason("Client.Sha1Signature", $"errSecNotTrusted: “{host}” certificate is not standards compliant (SHA-1 signature)", c.Index);
        foreach (var c in facts.Path.Where(c => c.RsaKeySize is > 0 and < 2048))
            yield return new ClientReason("Client.WeakKey", $"errSecNotTrusted: “{host}” certificate is not standards compliant (RSA key under 2048 bits)", c.Index);
    }
}
