using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// OpenSSL 3 with X509_V_FLAG_X509_STRICT (<c>openssl verify -x509_strict</c>), which Python &gt;= 3.13 turns on in
/// ssl.create_default_context() (VERIFY_X509_STRICT; pip, requests, Azure CLI &gt;= 2.77 on Python 3.13): everything of
/// <see cref="OpenSslClient"/>, plus crypto/x509/x509_vfy.c check_extensions' strict block, applied to every certificate
/// of a chain longer than one, the trust anchor included, leaf first; and check_chain's "X509_check_ca must return 1",
/// which strict mode extends to the trust anchor (a v1 or basicConstraints-less root is an invalid CA).
/// </summary>
public class OpenSslStrictClient : OpenSslClient
{
    public override string Id => "openssl-strict";

    public override string Name => "OpenSSL -x509_strict";

    /// <summary>The X509 verify error string, as Python prints it after "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ".</summary>
    private static string Py(string text) => text;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => Py(Text(problem.Code));

    /// <summary>X509_V_FLAG_PARTIAL_CHAIN: a trusted certificate ends the chain even when it is not self-signed.</summary>
    protected virtual bool PartialChain => false;

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var reason in base.OwnRules(facts).Where(r => !(PartialChain && r.Rule == "Client.AnchorNotSelfSigned")))
        {
            yield return reason with { Error = Py(reason.Error) };
        }
        int num = facts.Path.Count;
        if (num < 2)
        {
            yield break; // check_extensions: "if (ctx->param->flags & X509_V_FLAG_X509_STRICT && num > 1)"
        }
        for (int i = 0; i < num; i++)
        {
            var c = facts.Path[i];
            ClientReason R(string rule, string text) => new("Strict." + rule, Py(text), c.Index);
            // check_chain: X509_check_ca() must be 1 (basicConstraints cA TRUE) for CAs, in strict mode also for the top one;
            // a leaf that looks like a CA without basicConstraints (keyCertSign only) is refused too.
            if (i > 0 && !c.HasBasicConstraints)
                yield return R("InvalidCa", "invalid CA certificate (79)");
            if (i == 0 && !c.HasBasicConstraints && c.KeyUsage is { } leafUsage && (leafUsage & X509KeyUsageFlags.KeyCertSign) != 0)
                yield return R("InvalidCa", "invalid CA certificate (79)");
            if (c.PathLength is not null)
            {
                if (!c.IsCA)
                    yield return R("PathLenInvalidForNonCa", "Path length invalid for non-CA cert (80)");
                else if (c.KeyUsage is { } pathUsage && (pathUsage & X509KeyUsageFlags.KeyCertSign) == 0)
                    yield return R("PathLenWithoutKeyCertSign", "Path length given without key usage keyCertSign (81)");
            }
            if (c.IsCA && c.HasBasicConstraints && !c.BasicConstraintsCritical)
                yield return R("CaBasicConstraintsNotCritical", "Basic Constraints of CA cert not marked critical (89)");
            if (c.IsCA && c.KeyUsage is null)
                yield return R("CaMissingKeyUsage", "CA cert does not include key usage extension (92)");
            if (!c.IsCA && c.KeyUsage is { } usage && (usage & X509KeyUsageFlags.KeyCertSign) != 0)
                yield return R("KeyCertSignForNonCa", "Key usage keyCertSign invalid for non-CA cert (82)");
            if (c.IssuerEmpty)
                yield return R("IssuerNameEmpty", "Issuer name empty (83)");
            if (c.SubjectEmpty && (c.IsCA || (c.KeyUsage is { } crlUsage && (crlUsage & X509KeyUsageFlags.CrlSign) != 0) || !c.HasSubjectAltName))
                yield return R("SubjectNameEmpty", "Subject name empty (84)");
            if (c.SubjectEmpty && c.HasSubjectAltName && !c.SubjectAltNameCritical)
                yield return R("EmptySubjectSanNotCritical", "Subject empty and Subject Alt Name extension not critical (88)");
            if (!c.SignatureAlgorithmsConsistent)
                yield return R("SignatureAlgorithmInconsistency", "Signature algorithm inconsistency (78)");
            if (c.AuthorityKeyIdentifierCritical)
                yield return R("AuthorityKeyIdentifierCritical", "Authority Key Identifier marked critical (90)");
            if (c.SubjectKeyIdentifierCritical)
                yield return R("SubjectKeyIdentifierCritical", "Subject Key Identifier marked critical (91)");
            if (c.Version >= 3)
            {
                if (i + 1 < num && !c.HasAuthorityKeyIdentifier)
                    yield return R("MissingAuthorityKeyIdentifier", "Missing Authority Key Identifier (85)");
                if (c.IsCA && !c.HasSubjectKeyIdentifier)
                    yield return R("MissingSubjectKeyIdentifier", "Missing Subject Key Identifier (86)");
            }
            else if (c.ExtensionOids.Count > 0)
            {
                yield return R("ExtensionsRequireVersion3", "Certificate extensions require version 3 (93)");
            }
        }
    }
}

/// <summary>
/// Python &gt;= 3.13's ssl.create_default_context() (pip, requests, urllib3, Azure CLI &gt;= 2.77, AWS CLI v2 builds on 3.13):
/// OpenSSL with VERIFY_X509_STRICT and VERIFY_X509_PARTIAL_CHAIN (CPython gh-107361, Lib/ssl.py), so the strict rules of
/// <see cref="OpenSslStrictClient"/> apply and a trusted intermediate ends the chain. Python prints the reason as
/// "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: &lt;Error&gt; (_ssl.c:NNNN)".
/// </summary>
public sealed class PythonClient : OpenSslStrictClient
{
    public override string Id => "python";

    public override string Name => "Python >= 3.13 ssl (strict)";

    protected override bool PartialChain => true;

    /// <summary>CPython's _ssl.c sets X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS on the host check.</summary>
    protected override bool PartialWildcards => false;

    /// <summary>
    /// An SSL context verifies at OpenSSL's security level (Debian's openssl.cnf: SECLEVEL=2, 112-bit keys; x509_vfy.c
    /// check_key_level): an RSA key under 2048 bits or a curve under 224 bits, the root's included, is too weak (66/67).
    /// </summary>
    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var reason in base.OwnRules(facts))
            yield return reason;
        foreach (var c in facts.Path.Where(c => c.RsaKeySize is > 0 and < 2048 || c.EcCurve is "1.2.840.10045.3.1.1"))
            yield return c.Index == 0
                ? new ClientReason("Client.KeyTooWeak", "EE certificate key too weak (66)", 0)
                : new ClientReason("Client.KeyTooWeak", "CA certificate key too weak (67)", c.Index);
    }
}
