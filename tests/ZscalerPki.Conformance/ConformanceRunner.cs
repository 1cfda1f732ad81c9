// Shared conformance logic. This file is kept byte-identical in tests/ZscalerPki.Conformance/ and
// tests/ZscalerPki.Core.Tests/Validation/ (a test checks that), so the xunit floors run exactly the harness's logic.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ZscalerPki.Core;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Conformance;

public sealed record ConformanceCase(string Id, string Expected, string Actual, string Context)
{
    public bool Passed => Actual == Expected;
    public bool Skipped => Actual == "SKIPPED";
}

public static class ConformanceRunner
{
    public static readonly DateTimeOffset PkitsTime = new(2011, 4, 15, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Profile per x509-limbo case, from the id prefix and the features only (never from the id itself or the expected
    /// result): <c>webpki::</c> cases, <c>online::</c> cases (real-world chains, validated as a browser would), and cases
    /// tagged with any <c>pedantic-*</c> feature (checks beyond the RFC 5280 path-validation algorithm), run with
    /// <see cref="ValidationProfile.WebPki"/>; all others with Rfc5280.
    /// </summary>
    public static ValidationProfile LimboProfile(string id, IEnumerable<string> features) =>
        id.StartsWith("webpki::", StringComparison.Ordinal) || id.StartsWith("online::", StringComparison.Ordinal) || features.Any(f => f.StartsWith("pedantic-", StringComparison.Ordinal))
            ? ValidationProfile.WebPki
            : ValidationProfile.Rfc5280;

    private static readonly Dictionary<string, string> EkuNames = new()
    {
        ["serverAuth"] = "1.3.6.1.5.5.7.3.1",
        ["clientAuth"] = "1.3.6.1.5.5.7.3.2",
        ["codeSigning"] = "1.3.6.1.5.5.7.3.3",
        ["emailProtection"] = "1.3.6.1.5.5.7.3.4",
        ["timeStamping"] = "1.3.6.1.5.5.7.3.8",
        ["OCSPSigning"] = "1.3.6.1.5.5.7.3.9",
        ["anyExtendedKeyUsage"] = "2.5.29.37.0",
    };

    private static readonly Dictionary<string, X509KeyUsageFlags> KeyUsageNames = new()
    {
        ["digitalSignature"] = X509KeyUsageFlags.DigitalSignature,
        ["contentCommitment"] = X509KeyUsageFlags.NonRepudiation,
        ["keyEncipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["dataEncipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["keyAgreement"] = X509KeyUsageFlags.KeyAgreement,
        ["keyCertSign"] = X509KeyUsageFlags.KeyCertSign,
        ["cRLSign"] = X509KeyUsageFlags.CrlSign,
        ["encipher_only"] = X509KeyUsageFlags.EncipherOnly,
        ["decipher_only"] = X509KeyUsageFlags.DecipherOnly,
    };

    /// <summary>x509-limbo <c>signature_algorithms</c> names (limbo-schema SignatureAlgorithm) and their OIDs.</summary>
    private static readonly Dictionary<string, string> SignatureAlgorithmNames = new()
    {
        ["RSA_WITH_MD5"] = "1.2.840.113549.1.1.4",
        ["RSA_WITH_SHA1"] = "1.2.840.113549.1.1.5",
        ["RSA_WITH_SHA224"] = "1.2.840.113549.1.1.14",
        ["RSA_WITH_SHA256"] = "1.2.840.113549.1.1.11",
        ["RSA_WITH_SHA384"] = "1.2.840.113549.1.1.12",
        ["RSA_WITH_SHA512"] = "1.2.840.113549.1.1.13",
        ["RSA_WITH_SHA3_224"] = "2.16.840.1.101.3.4.3.13",
        ["RSA_WITH_SHA3_256"] = "2.16.840.1.101.3.4.3.14",
        ["RSA_WITH_SHA3_384"] = "2.16.840.1.101.3.4.3.15",
        ["RSA_WITH_SHA3_512"] = "2.16.840.1.101.3.4.3.16",
        ["RSASSA_PSS"] = "1.2.840.113549.1.1.10",
        ["ECDSA_WITH_SHA1"] = "1.2.840.10045.4.1",
        ["ECDSA_WITH_SHA224"] = "1.2.840.10045.4.3.1",
        ["ECDSA_WITH_SHA256"] = "1.2.840.10045.4.3.2",
        ["ECDSA_WITH_SHA384"] = "1.2.840.10045.4.3.3",
        ["ECDSA_WITH_SHA512"] = "1.2.840.10045.4.3.4",
        ["ECDSA_WITH_SHA3_224"] = "2.16.840.1.101.3.4.3.9",
        ["ECDSA_WITH_SHA3_256"] = "2.16.840.1.101.3.4.3.10",
        ["ECDSA_WITH_SHA3_384"] = "2.16.840.1.101.3.4.3.11",
        ["ECDSA_WITH_SHA3_512"] = "2.16.840.1.101.3.4.3.12",
        ["DSA_WITH_SHA1"] = "1.2.840.10040.4.3",
        ["DSA_WITH_SHA224"] = "2.16.840.1.101.3.4.3.1",
        ["DSA_WITH_SHA256"] = "2.16.840.1.101.3.4.3.2",
        ["DSA_WITH_SHA384"] = "2.16.840.1.101.3.4.3.3",
        ["DSA_WITH_SHA512"] = "2.16.840.1.101.3.4.3.4",
        ["ED25519"] = "1.3.101.112",
        ["ED448"] = "1.3.101.113",
    };

    public static List<ConformanceCase> RunLimbo(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var results = new List<ConformanceCase>();
        foreach (var tc in doc.RootElement.GetProperty("testcases").EnumerateArray())
            results.Add(RunLimboCase(tc));
        return results;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Arr(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : Enumerable.Empty<JsonElement>();

    /// <summary>A limbo case as validation requests (one per expected peer name), or its early outcome (skipped, unreadable leaf).</summary>
    public sealed record LimboInput(string Id, string Expected, ValidationProfile Profile, IReadOnlyList<ChainValidationRequest>? Requests, ConformanceCase? Outcome);

    public static ConformanceCase RunLimboCase(JsonElement tc)
    {
        var input = PrepareLimboCase(tc);
        if (input.Outcome is { } early)
            return early;
        try
        {
            var results = input.Requests!.Select(ChainValidator.Validate).ToList();
            var result = results.FirstOrDefault(r => !r.IsValid) ?? results[0];
            var context = $"profile={input.Profile}; " + (result.IsValid ? "valid" : string.Join("; ", result.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).Select(p => p.ToString())));
            return new ConformanceCase(input.Id, input.Expected, result.IsValid ? "SUCCESS" : "FAILURE", context);
        }
        catch (PkiException ex)
        {
            return new ConformanceCase(input.Id, input.Expected, "FAILURE", "error: " + ex.ErrorId + ": " + ex.Message);
        }
    }

    public static LimboInput PrepareLimboCase(JsonElement tc)
    {
        var id = Str(tc, "id") ?? "?";
        var expected = Str(tc, "expected_result") ?? "?";
        var features = Arr(tc, "features").Select(f => f.GetString() ?? "").ToList();
        var profile = LimboProfile(id, features);
        LimboInput Early(string actual, string context) => new(id, expected, profile, null, new ConformanceCase(id, expected, actual, context));
        try
        {
            var kind = Str(tc, "validation_kind");
            if (kind is not null and not "SERVER" and not "CLIENT")
                return Early("SKIPPED", $"validation_kind {kind} not supported");
            X509Certificate2 leaf;
            try
            {
                leaf = ValidationInput.ReadCertificates(Encoding.ASCII.GetBytes(Str(tc, "peer_certificate") ?? ""))[0];
            }
            catch (PkiException ex)
            {
                return Early("FAILURE", "peer certificate rejected: " + ex.Message);
            }
            var roots = new List<X509Certificate2>();
            foreach (var pem in Arr(tc, "trusted_certs"))
                try { roots.AddRange(ValidationInput.ReadCertificates(Encoding.ASCII.GetBytes(pem.GetString() ?? ""))); } catch (PkiException) { }
            var inters = new List<X509Certificate2>();
            foreach (var pem in Arr(tc, "untrusted_intermediates"))
                try { inters.AddRange(ValidationInput.ReadCertificates(Encoding.ASCII.GetBytes(pem.GetString() ?? ""))); } catch (PkiException) { }
            var crls = new List<byte[]>();
            bool hasCrls = tc.TryGetProperty("crls", out var crlProp) && crlProp.ValueKind == JsonValueKind.Array && crlProp.GetArrayLength() > 0;
            foreach (var pem in Arr(tc, "crls"))
                try { crls.AddRange(ValidationInput.ReadCrls(Encoding.ASCII.GetBytes(pem.GetString() ?? ""))); } catch (PkiException) { }

            var peerNames = new List<(string Kind, string Value)>();
            if (tc.TryGetProperty("expected_peer_name", out var pn) && pn.ValueKind == JsonValueKind.Object)
                peerNames.Add((Str(pn, "kind") ?? "", Str(pn, "value") ?? ""));
            foreach (var name in Arr(tc, "expected_peer_names"))
                peerNames.Add((Str(name, "kind") ?? "", Str(name, "value") ?? ""));
            if (peerNames.FirstOrDefault(p => p.Kind is not ("DNS" or "IP" or "RFC822")) is { Kind: { } unsupportedKind } && unsupportedKind.Length > 0)
                return Early("SKIPPED", $"peer name kind {unsupportedKind} not supported");
            var ekus = new List<string>();
            foreach (var e in Arr(tc, "extended_key_usage"))
            {
                var name = e.GetString() ?? "";
                ekus.Add(EkuNames.TryGetValue(name, out var oid) ? oid : name);
            }
            X509KeyUsageFlags? keyUsage = null;
            foreach (var e in Arr(tc, "key_usage"))
            {
                if (!KeyUsageNames.TryGetValue(e.GetString() ?? "", out var flag))
                    return Early("SKIPPED", $"key usage {e.GetString()} not supported");
                keyUsage = (keyUsage ?? X509KeyUsageFlags.None) | flag;
            }
            List<string>? signatureAlgorithms = null;
            foreach (var e in Arr(tc, "signature_algorithms"))
            {
                if (!SignatureAlgorithmNames.TryGetValue(e.GetString() ?? "", out var oid))
                    return Early("SKIPPED", $"signature algorithm {e.GetString()} not supported");
                (signatureAlgorithms ??= new List<string>()).Add(oid);
            }
            DateTimeOffset? at = Str(tc, "validation_time") is { } vt ? DateTimeOffset.Parse(vt, System.Globalization.CultureInfo.InvariantCulture) : null;
            int? maxDepth = tc.TryGetProperty("max_chain_depth", out var md) && md.ValueKind == JsonValueKind.Number ? md.GetInt32() : null;

            var request = new ChainValidationRequest
            {
                Certificate = leaf,
                TrustedRoots = roots,
                Intermediates = inters,
                Crls = crls,
                At = at,
                Purpose = kind == "CLIENT" ? ChainPurpose.ClientAuth : ChainPurpose.ServerAuth,
                RequiredEkus = ekus.Count > 0 ? ekus : null,
                RequiredKeyUsages = keyUsage,
                AllowedSignatureAlgorithms = signatureAlgorithms,
                Profile = profile,
                RevocationMode = hasCrls ? RevocationMode.Check : RevocationMode.None,
                UnknownRevocationIsFailure = true,
                MaxDepth = maxDepth,
            };
            // Every expected peer name must match: one validation per name (a request carries one name of each kind).
            var requests = peerNames.Count == 0
                ? new List<ChainValidationRequest> { request }
                : peerNames.Select(p => p.Kind switch
                {
                    "DNS" => request with { DnsName = p.Value },
                    "IP" => request with { IPAddress = IPAddress.Parse(p.Value) },
                    _ => request with { EmailAddress = p.Value },
                }).ToList();
            return new LimboInput(id, expected, profile, requests, null);
        }
        catch (PkiException ex)
        {
            return Early("FAILURE", "error: " + ex.ErrorId + ": " + ex.Message);
        }
    }

    public static string LimboResultJson(IEnumerable<ConformanceCase> results)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("harness", "zscalerpki");
            w.WriteStartArray("results");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("id", r.Id);
                w.WriteString("actual_result", r.Actual);
                w.WriteString("context", r.Context);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string PolicyOid(string name) =>
        name == "anyPolicy" ? "2.5.29.32.0"
        : name.StartsWith("NIST-test-policy-", StringComparison.Ordinal) ? "2.16.840.1.101.3.2.1.48." + name["NIST-test-policy-".Length..]
        : name;

    /// <summary>A PKITS case as a validation request, or the reading error that decides it.</summary>
    public sealed record PkitsInput(string Id, string Expected, ChainValidationRequest? Request, string? Error);

    public static List<ConformanceCase> RunPkits(string dir) =>
        PreparePkits(dir).Select(input =>
        {
            if (input.Request is null)
                return new ConformanceCase(input.Id, input.Expected, "FAILURE", input.Error!);
            var result = ChainValidator.Validate(input.Request);
            var context = result.IsValid ? "valid" : string.Join("; ", result.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).Select(p => p.ToString()));
            return new ConformanceCase(input.Id, input.Expected, result.IsValid ? "SUCCESS" : "FAILURE", context);
        }).ToList();

    public static List<PkitsInput> PreparePkits(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "pkits.json")));
        var certCache = new Dictionary<string, X509Certificate2>();
        var crlCache = new Dictionary<string, byte[]>();
        X509Certificate2 Cert(string f)
        {
            if (!certCache.TryGetValue(f, out var c)) certCache[f] = c = ValidationInput.ReadCertificateFile(Path.Combine(dir, "certs", f))[0];
            return c;
        }
        byte[] Crl(string f)
        {
            if (!crlCache.TryGetValue(f, out var c)) crlCache[f] = c = File.ReadAllBytes(Path.Combine(dir, "crls", f));
            return c;
        }
        var results = new List<PkitsInput>();
        foreach (var tc in doc.RootElement.EnumerateArray())
        {
            var id = $"{Str(tc, "test_number")} {Str(tc, "name")}";
            bool shouldValidate = tc.GetProperty("should_validate").GetBoolean();
            var expected = shouldValidate ? "SUCCESS" : "FAILURE";
            try
            {
                var files = Arr(tc, "certs").Select(x => x.GetString()!).ToList();
                var certs = files.Select(Cert).ToList();
                bool? B(string name) => tc.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
                var ips = tc.TryGetProperty("initial_policy_set", out var ip) && ip.ValueKind == JsonValueKind.Array
                    ? ip.EnumerateArray().Select(x => PolicyOid(x.GetString()!)).ToList() : null;
                var request = new ChainValidationRequest
                {
                    Certificate = certs[^1],
                    TrustedRoots = new[] { certs[0] },
                    Intermediates = certs.Skip(1).Take(certs.Count - 2).ToList(),
                    Crls = Arr(tc, "crls").Select(x => Crl(x.GetString()!)).ToList(),
                    At = PkitsTime,
                    Profile = ValidationProfile.Rfc5280,
                    RevocationMode = RevocationMode.Check,
                    UnknownRevocationIsFailure = true,
                    InitialPolicySet = ips,
                    InitialExplicitPolicy = B("initial_explicit_policy") ?? false,
                    InitialPolicyMappingInhibit = B("initial_policy_mapping_inhibit") ?? false,
                    InitialAnyPolicyInhibit = B("initial_inhibit_any_policy") ?? false,
                };
                results.Add(new PkitsInput(id, expected, request, null));
            }
            catch (PkiException ex)
            {
                results.Add(new PkitsInput(id, expected, null, "error: " + ex.ErrorId + ": " + ex.Message));
            }
        }
        return results;
    }
}
