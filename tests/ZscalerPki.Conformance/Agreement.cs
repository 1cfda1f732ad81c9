// Per-client agreement: each client profile (src/ZscalerPki.Core/Validation/Clients) evaluated on every x509-limbo and
// NIST PKITS case, compared with the real client's recorded verdict (tests/testdata/client-verdicts/<client>.jsonl).
// Linked into tests/ZscalerPki.Core.Tests (ClientAgreementTests) so the floors run exactly this logic.
using System.Text.Json;
using ZscalerPki.Core;
using ZscalerPki.Core.Validation;
using ZscalerPki.Core.Validation.Clients;

namespace ZscalerPki.Conformance;

/// <summary>One case where a profile and its client disagree.</summary>
public sealed record AgreementMismatch(string Corpus, string Case, string Recorded, string Predicted, string RecordedError, string PredictedReason);

/// <summary>The agreement of one profile with its client's recorded verdicts (unsupported cases are not counted).</summary>
public sealed record ClientAgreement(string Client, string ClientVersion, int Compared, int Agreed, int Unsupported, IReadOnlyList<AgreementMismatch> Mismatches)
{
    public double Percent => Compared == 0 ? 0 : 100.0 * Agreed / Compared;
}

public static class Agreement
{
    /// <summary>Recorded client ids whose profile has another id (pyca/cryptography's verifier is what x509-limbo's own harness runs; no profile here).</summary>
    private static readonly Dictionary<string, string> ProfileFor = new(StringComparer.Ordinal)
    {
        ["python-ssl"] = "python",
    };

    /// <summary>Evaluates every profile that has a recorded-verdict file in <paramref name="verdictDir"/>.</summary>
    public static List<ClientAgreement> Run(string repoRoot, string? onlyClient = null)
    {
        var verdictDir = Path.Combine(repoRoot, "tests", "testdata", "client-verdicts");
        var recorded = new Dictionary<string, List<JsonElement>>();
        foreach (var file in Directory.EnumerateFiles(verdictDir, "*.jsonl").OrderBy(f => f, StringComparer.Ordinal))
        {
            var client = Path.GetFileNameWithoutExtension(file);
            if (onlyClient is not null && client != onlyClient) continue;
            var profileId = ProfileFor.GetValueOrDefault(client, client);
            if (ClientProfiles.All.All(p => p.Id != profileId)) continue;
            recorded[client] = File.ReadLines(file).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        }
        if (recorded.Count == 0) return new List<ClientAgreement>();

        // Each case once: its requests; facts per case and set of inputs the client could not take ("ignored"), shared by
        // every profile. The client answered without those inputs, so the profile is asked the same question.
        var requests = new Dictionary<(string, string), IReadOnlyList<ChainValidationRequest>?>();
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repoRoot, "tests", "testdata", "x509-limbo", "limbo-dev-2026.json"))))
        {
            foreach (var tc in doc.RootElement.GetProperty("testcases").EnumerateArray())
            {
                var input = ConformanceRunner.PrepareLimboCase(tc);
                requests[("limbo", input.Id)] = input.Requests;
            }
        }
        foreach (var input in ConformanceRunner.PreparePkits(Path.Combine(repoRoot, "tests", "testdata", "nist-pkits")))
        {
            requests[("pkits", input.Id)] = input.Request is null ? null : new[] { input.Request };
        }
        var factsCache = new Dictionary<(string, string, string), List<ClientChainFacts>?>();
        List<ClientChainFacts>? FactsFor(string corpus, string id, IReadOnlyList<string> ignored)
        {
            var key = (corpus, id, string.Join(",", ignored.OrderBy(x => x, StringComparer.Ordinal)));
            if (!factsCache.TryGetValue(key, out var list))
            {
                var rs = requests[(corpus, id)];
                list = rs?.Select(r => ClientProfiles.Facts(Without(r, ignored))).ToList();
                factsCache[key] = list;
            }
            return list;
        }

        var results = new List<ClientAgreement>();
        foreach (var (client, lines) in recorded)
        {
            var profile = ClientProfiles.Find(ProfileFor.GetValueOrDefault(client, client))!;
            int compared = 0, agreed = 0, unsupported = 0;
            string version = "";
            var mismatches = new List<AgreementMismatch>();
            foreach (var line in lines)
            {
                var corpus = line.GetProperty("corpus").GetString()!;
                var id = line.GetProperty("case").GetString()!;
                var verdict = line.GetProperty("verdict").GetString()!;
                version = line.TryGetProperty("clientVersion", out var v) ? v.GetString() ?? "" : "";
                if (verdict == "unsupported" || !requests.ContainsKey((corpus, id)))
                {
                    unsupported++;
                    continue;
                }
                var ignored = line.TryGetProperty("ignored", out var ig) && ig.ValueKind == JsonValueKind.Array
                    ? ig.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : new List<string>();
                var caseFacts = FactsFor(corpus, id, ignored);
                string predicted;
                string reason;
                if (caseFacts is null)
                {
                    predicted = "reject";
                    reason = "unreadable input";
                }
                else
                {
                    var verdicts = caseFacts.Select(profile.Evaluate).ToList();
                    var rejected = verdicts.FirstOrDefault(x => !x.Accepted);
                    predicted = rejected is null ? "accept" : "reject";
                    reason = rejected is null ? "" : rejected.Rule + ": " + rejected.Error;
                }
                compared++;
                if (predicted == verdict) agreed++;
                else mismatches.Add(new AgreementMismatch(corpus, id, verdict, predicted, line.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "", reason));
            }
            results.Add(new ClientAgreement(client, version, compared, agreed, unsupported, mismatches));
        }
        return results;
    }

    /// <summary>The request without the inputs a client could not take (tests/testdata/client-verdicts/README.md "ignored").</summary>
    private static ChainValidationRequest Without(ChainValidationRequest request, IReadOnlyList<string> ignored)
    {
        foreach (var input in ignored)
        {
            request = input switch
            {
                "crls" => request with { Crls = Array.Empty<byte[]>(), RevocationMode = RevocationMode.None },
                "peer-name" => request with { DnsName = null, IPAddress = null, EmailAddress = null },
                _ => request,
            };
        }
        return request;
    }

    /// <summary>The table the README shows (markdown).</summary>
    public static string Table(IEnumerable<ClientAgreement> results)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| client | version | cases compared | agree | agreement | unsupported |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
            sb.AppendLine($"| {r.Client} | {r.ClientVersion} | {r.Compared} | {r.Agreed} | {r.Percent.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} % | {r.Unsupported} |");
        return sb.ToString();
    }
}
