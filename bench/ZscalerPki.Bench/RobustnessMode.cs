using System.Diagnostics;
using ZscalerPki.Robustness;

namespace ZscalerPki.Bench;

/// <summary>
/// The long robustness run: <c>dotnet run -c Release --project bench/ZscalerPki.Bench -- robustness [inputs] [seed]</c>
/// (default 1,000,000 inputs). Last line: "robustness: N inputs, U unclean, H hangs (...)"; exit code 1 if U or H is not 0.
/// </summary>
internal static class RobustnessMode
{
    public static int Run(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        Console.WriteLine($"robustness: {count} inputs, seed {seed}");
        var watch = Stopwatch.StartNew();
        using var runner = new RobustnessRunner();
        var report = runner.Run(count, seed, big: true, TimeSpan.FromSeconds(1),
            progress: done => { if (done % 50_000 == 0) Console.WriteLine($"  {done} inputs, {watch.Elapsed.TotalSeconds:0} s"); });
        foreach (var line in report.Unclean.Concat(report.Hangs).Take(50))
            Console.WriteLine("  " + line);
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:0} s, {report.Inputs / Math.Max(1, watch.Elapsed.TotalSeconds):0} inputs/s");
        Console.WriteLine(report.Summary);
        return report.Unclean.Count == 0 && report.Hangs.Count == 0 ? 0 : 1;
    }
}
