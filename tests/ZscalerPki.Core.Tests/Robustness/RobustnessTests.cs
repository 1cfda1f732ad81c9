using ZscalerPki.Robustness;
using Xunit.Abstractions;

namespace ZscalerPki.Core.Tests.Robustness;

/// <summary>
/// Malformed input against every entry point that reads untrusted bytes or strings: each call ends in a result or a
/// PkiException with a catalogued ErrorId, never another exception, within a second. The long mode (a million inputs) is
/// <c>dotnet run -c Release --project bench/ZscalerPki.Bench -- robustness</c>.
/// </summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    [Fact]
    public void FiveThousandMalformedInputs_EndCleanly_WithinASecondEach()
    {
        using var runner = new RobustnessRunner();
        var report = runner.Run(count: 6000, seed: 20261201, big: true, limit: TimeSpan.FromSeconds(1));
        output.WriteLine(report.Summary);
        foreach (var line in report.Unclean.Concat(report.Hangs).Take(40))
            output.WriteLine(line);
        Assert.True(report.Inputs >= 5000, report.Summary);
        Assert.True(report.Unclean.Count == 0, report.Summary + "\n" + string.Join("\n", report.Unclean.Take(20)));
        Assert.True(report.Hangs.Count == 0, report.Summary + "\n" + string.Join("\n", report.Hangs.Take(20)));
    }

    [Fact]
    public void DamagedIssuedDatabases_AreRefusedWithACataloguedError_NeverSignedOver()
    {
        using var runner = new DamagedStoreRunner();
        var report = runner.Run(seed: 20261204);
        output.WriteLine(report.Summary);
        foreach (var line in report.Unclean)
            output.WriteLine(line);
        Assert.True(report.Inputs >= 10, report.Summary);
        Assert.True(report.Unclean.Count == 0, report.Summary + "\n" + string.Join("\n", report.Unclean));
    }
}
