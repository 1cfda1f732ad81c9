using ZscalerPki.Conformance;
using ZscalerPki.Conformance.Clients;

// Conformance harness for the ZscalerPki path-validation engine.
//   limbo FILE.json  -> x509-limbo harness result JSON on stdout; last stderr line "limbo: N passed, M failed, K skipped"
//   pkits DIR        -> one line per case; last line "pkits: N passed, M failed"
//   clients [--write] [--client ID[,ID...]] [--sample PERCENT]
//                    -> every real client installed here over limbo + PKITS (tests/testdata/client-verdicts/README.md);
//                       --write replaces the snapshot files, otherwise compares with them
if (args.Length >= 1 && args[0] == "clients")
    return ClientsCommand.Run(args.Skip(1).ToArray());
//   agreement [REPO] [--client ID] [--mismatches]
//                    -> each client profile (Test-CertificateChain -Client) against the recorded client verdicts; a table
if (args.Length >= 1 && args[0] == "agreement")
{
    var repo = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? ".";
    var only = args.SkipWhile(a => a != "--client").Skip(1).FirstOrDefault();
    var results = Agreement.Run(repo, only);
    Console.Out.Write(Agreement.Table(results));
    if (args.Contains("--mismatches"))
        foreach (var r in results)
            foreach (var m in r.Mismatches)
                Console.Out.WriteLine($"{r.Client}\t{m.Corpus}\t{m.Case}\trecorded {m.Recorded}: {m.RecordedError}\tpredicted {m.Predicted}: {m.PredictedReason}");
    return 0;
}
if (args.Length != 2 || args[0] is not ("limbo" or "pkits"))
{
    Console.Error.WriteLine("usage: ZscalerPki.Conformance limbo FILE.json | pkits DIR | clients [--write] [--client IDS] [--sample PERCENT] | agreement [REPO] [--client ID] [--mismatches]");
    return 2;
}
try
{
    if (args[0] == "limbo")
    {
        var results = ConformanceRunner.RunLimbo(args[1]);
        Console.Out.WriteLine(ConformanceRunner.LimboResultJson(results));
        foreach (var r in results.Where(r => !r.Passed && !r.Skipped))
            Console.Error.WriteLine($"MISMATCH {r.Id}: expected {r.Expected}, got {r.Actual} ({r.Context})");
        int skipped = results.Count(r => r.Skipped);
        int passed = results.Count(r => r.Passed);
        Console.Error.WriteLine($"limbo: {passed} passed, {results.Count - passed - skipped} failed, {skipped} skipped");
    }
    else
    {
        var results = ConformanceRunner.RunPkits(args[1]);
        foreach (var r in results)
            Console.Out.WriteLine($"{(r.Passed ? "PASS" : "FAIL")} {r.Id}: expected {r.Expected}, got {r.Actual}" + (r.Passed && r.Actual == "SUCCESS" ? "" : $" ({r.Context})"));
        int passed = results.Count(r => r.Passed);
        Console.Out.WriteLine($"pkits: {passed} passed, {results.Count - passed} failed");
    }
    return 0;
}
catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
