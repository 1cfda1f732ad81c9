using ZscalerPki.Conformance;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>
/// Each client profile against the real client's recorded verdicts on x509-limbo and NIST PKITS
/// (tests/testdata/client-verdicts, made by the runners in tests/ZscalerPki.Conformance/Clients): floors at the level reached,
/// so a regression fails. Raise them when a profile improves; never lower them silently (README, "Per-client verdicts").
/// </summary>
public class ClientAgreementTests
{
    /// <summary>Floor (percent) and the fewest cases that must be compared, per recorded client (Node and Python ssl answer limbo cases only: they need the peer's key for a handshake).</summary>
    private static readonly Dictionary<string, (double Floor, int MinCompared)> Floors = new()
    {
        ["openssl"] = (99.0, 300),
        ["openssl-strict"] = (99.0, 300),
        ["go"] = (99.5, 300),
        ["java"] = (99.0, 300),
        ["nss"] = (99.5, 300),
        ["node"] = (99.0, 100),
        ["python-ssl"] = (99.0, 100),
        ["chrome"] = (99.0, 80),
    };

    [Fact]
    public void EachProfile_AgreesWithItsClient_AtOrAboveItsFloor()
    {
        var results = Agreement.Run(TestData.RepoRoot);
        Assert.NotEmpty(results);
        foreach (var (client, (floor, minCompared)) in Floors)
        {
            var r = results.SingleOrDefault(x => x.Client == client);
            Assert.True(r is not null, $"no recorded verdicts for {client} in tests/testdata/client-verdicts");
            Assert.True(r!.Compared >= minCompared, $"{client}: only {r.Compared} cases compared");
            Assert.True(r.Percent >= floor, $"{client}: agreement {r.Percent:0.0} % below floor {floor} %:\n" +
                string.Join("\n", r.Mismatches.Select(m => $"{m.Corpus} {m.Case}: recorded {m.Recorded}, predicted {m.Predicted} ({m.PredictedReason})")));
        }
    }
}
