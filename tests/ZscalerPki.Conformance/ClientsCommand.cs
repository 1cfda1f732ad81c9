using System.Diagnostics;
using ZscalerPki.Conformance.Clients;

namespace ZscalerPki.Conformance;

/// <summary>
/// <c>clients [--write] [--client ID[,ID...]] [--sample PERCENT]</c>: runs each installed client over the cases. With
/// --write the snapshot tests/testdata/client-verdicts/&lt;client&gt;.jsonl is replaced; without it the verdicts are compared
/// with the snapshot and every difference is printed (exit 1 on any).
/// </summary>
internal static class ClientsCommand
{
    public static int Run(string[] args)
    {
        bool write = args.Contains("--write");
        string? only = ArgValue(args, "--client");
        int percent = ArgValue(args, "--sample") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 100;
        var root = ClientRunners.FindRepoRoot(Environment.CurrentDirectory);
        var all = ClientCases.LoadAll(root);
        var cases = percent >= 100 ? all : ClientCases.Sample(all, percent);
        var wanted = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        int differences = 0;
        foreach (var runner in ClientRunners.All(root).Where(r => wanted is null || wanted.Contains(r.Id)))
        {
            if (runner.Unavailable is { } why)
            {
                Console.Error.WriteLine($"{runner.Id}: skipped ({why})");
                continue;
            }
            var sw = Stopwatch.StartNew();
            var verdicts = ClientRunners.RunClient(runner, cases);
            sw.Stop();
            string Count(string v) => verdicts.Count(x => x.Verdict == v).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"{runner.Id} ({runner.Version}): {verdicts.Count} cases in {sw.Elapsed.TotalSeconds:F1} s: {Count("accept")} accept, {Count("reject")} reject, {Count("unsupported")} unsupported");
            var file = ClientSnapshot.FileOf(root, runner.Id);
            if (write)
            {
                if (percent < 100) { Console.Error.WriteLine("--write needs the full run (no --sample)"); return 2; }
                ClientSnapshot.Write(file, verdicts);
                Console.Error.WriteLine($"  wrote {Path.GetRelativePath(root, file)}");
                continue;
            }
            if (!File.Exists(file)) { Console.Error.WriteLine($"  no snapshot {Path.GetRelativePath(root, file)}"); differences++; continue; }
            var snapshot = ClientSnapshot.Read(file).ToDictionary(v => (v.Corpus, v.Case));
            foreach (var v in verdicts)
            {
                if (!snapshot.TryGetValue((v.Corpus, v.Case), out var s)) { Console.Error.WriteLine($"  NEW {v.Corpus} {v.Case}: {v.Verdict}"); differences++; }
                else if (s.Verdict != v.Verdict) { Console.Error.WriteLine($"  DIFF {v.Corpus} {v.Case}: snapshot {s.Verdict}, now {v.Verdict} ({v.Error})"); differences++; }
            }
        }
        return differences == 0 ? 0 : 1;
    }

    private static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
