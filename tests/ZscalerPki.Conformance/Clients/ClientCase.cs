// Real-client conformance runs (issue 21): the repository's x509-limbo and NIST PKITS cases, normalised once into
// ClientCase records that every client runner feeds to its client as faithfully as that client allows.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// One conformance case in the form every client runner consumes (PEM text, names, times). <see cref="Purpose"/> is
/// "server" (a TLS client checking a server: limbo SERVER), "client" (limbo CLIENT) or null (PKITS: any purpose).
/// </summary>
public sealed record ClientCase
{
    public required string Corpus { get; init; }
    public required string Id { get; init; }
    public required string Leaf { get; init; }
    public string? LeafKey { get; init; }
    public IReadOnlyList<string> Trusted { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Intermediates { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Crls { get; init; } = Array.Empty<string>();
    /// <summary>Validation time; null = the client's own clock ("now").</summary>
    public DateTimeOffset? Time { get; init; }
    public string? PeerNameKind { get; init; }
    public string? PeerName { get; init; }
    public string? Purpose { get; init; }
    public IReadOnlyList<string> Ekus { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> KeyUsages { get; init; } = Array.Empty<string>();
    public int? MaxDepth { get; init; }
    /// <summary>PKITS initial-policy-set as OIDs; null = any-policy (the RFC 5280 default).</summary>
    public IReadOnlyList<string>? InitialPolicySet { get; init; }
    public bool ExplicitPolicy { get; init; }
    public bool PolicyMappingInhibit { get; init; }
    public bool AnyPolicyInhibit { get; init; }
    /// <summary>Set when the case itself cannot be expressed by any client (an input no client takes).</summary>
    public string? UnsupportedReason { get; init; }

    /// <summary>True when the case asks for a policy input beyond the RFC 5280 defaults.</summary>
    [JsonIgnore]
    public bool HasPolicyInputs => InitialPolicySet is not null || ExplicitPolicy || PolicyMappingInhibit || AnyPolicyInhibit;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Loads the repository's cases (limbo-dev-2026 and PKITS) as <see cref="ClientCase"/> records, in file order.</summary>
public static class ClientCases
{
    public static string Pem(string label, byte[] der) =>
        $"-----BEGIN {label}-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks).Replace("\r", "")}\n-----END {label}-----\n";

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string> Strs(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : new List<string>();

    public static List<ClientCase> LoadLimbo(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var cases = new List<ClientCase>();
        foreach (var tc in doc.RootElement.GetProperty("testcases").EnumerateArray())
        {
            var kind = Str(tc, "validation_kind");
            var names = new List<(string Kind, string Value)>();
            if (tc.TryGetProperty("expected_peer_name", out var pn) && pn.ValueKind == JsonValueKind.Object)
                names.Add((Str(pn, "kind") ?? "", Str(pn, "value") ?? ""));
            if (tc.TryGetProperty("expected_peer_names", out var pns) && pns.ValueKind == JsonValueKind.Array)
                names.AddRange(pns.EnumerateArray().Select(n => (Str(n, "kind") ?? "", Str(n, "value") ?? "")));
            string? unsupported = kind is not (null or "SERVER" or "CLIENT") ? $"validation kind {kind}"
                : names.Count > 1 ? "more than one expected peer name"
                : names.Count == 1 && names[0].Kind is not ("DNS" or "IP") ? $"peer name kind {names[0].Kind}"
                : Strs(tc, "signature_algorithms").Count > 0 ? "a signature-algorithm allow-list"
                : null;
            int? maxDepth = tc.TryGetProperty("max_chain_depth", out var md) && md.ValueKind == JsonValueKind.Number ? md.GetInt32() : null;
            cases.Add(new ClientCase
            {
                Corpus = "limbo",
                Id = Str(tc, "id") ?? "?",
                Leaf = Str(tc, "peer_certificate") ?? "",
                LeafKey = Str(tc, "peer_certificate_key"),
                Trusted = Strs(tc, "trusted_certs"),
                Intermediates = Strs(tc, "untrusted_intermediates"),
                Crls = Strs(tc, "crls"),
                Time = Str(tc, "validation_time") is { } vt ? DateTimeOffset.Parse(vt, System.Globalization.CultureInfo.InvariantCulture) : null,
                PeerNameKind = names.Count == 1 ? names[0].Kind : null,
                PeerName = names.Count == 1 ? names[0].Value : null,
                Purpose = kind == "CLIENT" ? "client" : "server",
                Ekus = Strs(tc, "extended_key_usage"),
                KeyUsages = Strs(tc, "key_usage"),
                MaxDepth = maxDepth,
                UnsupportedReason = unsupported,
            });
        }
        return cases;
    }

    private static string PolicyOid(string name) =>
        name == "anyPolicy" ? "2.5.29.32.0"
        : name.StartsWith("NIST-test-policy-", StringComparison.Ordinal) ? "2.16.840.1.101.3.2.1.48." + name["NIST-test-policy-".Length..]
        : name;

    public static List<ClientCase> LoadPkits(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "pkits.json")));
        var cases = new List<ClientCase>();
        string Cert(string f) => Pem("CERTIFICATE", File.ReadAllBytes(Path.Combine(dir, "certs", f)));
        string Crl(string f) => Pem("X509 CRL", File.ReadAllBytes(Path.Combine(dir, "crls", f)));
        foreach (var tc in doc.RootElement.EnumerateArray())
        {
            var certs = Strs(tc, "certs").Select(Cert).ToList();
            bool B(string name) => tc.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
            var ips = tc.TryGetProperty("initial_policy_set", out var ip) && ip.ValueKind == JsonValueKind.Array
                ? ip.EnumerateArray().Select(x => PolicyOid(x.GetString()!)).ToList() : null;
            // An initial-policy-set of just anyPolicy is the default.
            if (ips is ["2.5.29.32.0"]) ips = null;
            cases.Add(new ClientCase
            {
                Corpus = "pkits",
                Id = $"{Str(tc, "test_number")} {Str(tc, "name")}",
                Leaf = certs[^1],
                Trusted = new[] { certs[0] },
                Intermediates = certs.Skip(1).Take(certs.Count - 2).ToList(),
                Crls = Strs(tc, "crls").Select(Crl).ToList(),
                Time = ConformanceRunner.PkitsTime,
                InitialPolicySet = ips,
                ExplicitPolicy = B("initial_explicit_policy"),
                PolicyMappingInhibit = B("initial_policy_mapping_inhibit"),
                AnyPolicyInhibit = B("initial_inhibit_any_policy"),
            });
        }
        return cases;
    }

    /// <summary>Both corpora from the repository root: limbo first, then PKITS, each in file order.</summary>
    public static List<ClientCase> LoadAll(string repoRoot) =>
        LoadLimbo(Path.Combine(repoRoot, "tests", "testdata", "x509-limbo", "limbo-dev-2026.json"))
            .Concat(LoadPkits(Path.Combine(repoRoot, "tests", "testdata", "nist-pkits"))).ToList();

    /// <summary>
    /// A deterministic sample: the cases whose FNV-1a hash of "corpus/id" falls in the first <paramref name="percent"/>
    /// of 100 buckets. Stable across runs, machines and .NET versions (string.GetHashCode is randomised).
    /// </summary>
    public static List<ClientCase> Sample(IEnumerable<ClientCase> cases, int percent) =>
        cases.Where(c => Bucket(c.Corpus + "/" + c.Id) < percent).ToList();

    public static int Bucket(string key)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(key)) { h ^= b; h *= 16777619; }
        return (int)(h % 100);
    }
}
