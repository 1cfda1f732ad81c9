using System.Globalization;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// NSS through <c>vfychain -pp</c> (CERT_PKIXVerifyCert, NSS's libpkix) over one empty throw-away NSS database per
/// batch: the peer certificate and the intermediates as DER files, the trust anchors marked <c>-t</c> (explicitly
/// trusted, the database not consulted), <c>-u 1</c> (SSL server; <c>-u 0</c> SSL client for limbo CLIENT cases; PKITS
/// runs as SSL server, NSS has no "any" usage) and <c>-b</c> for the validation time (YYMMDDHHMMZ: whole minutes only,
/// other times are unsupported). vfychain has no host-name input (NSS checks names in libssl, CERT_VerifyCertName) and
/// takes CRLs only from the database, so peer names and CRLs are ignored and said so. Firefox itself validates with
/// mozilla::pkix (in Gecko, not in NSS's tools), which is not installable here.
/// </summary>
public sealed class NssRunner : IClientRunner
{
    private readonly string? _vfychain = ClientProcess.Which("vfychain");
    private readonly string? _certutil = ClientProcess.Which("certutil");
    private string? _version;

    public string Id => "nss";
    public string? Unavailable => _vfychain is null || _certutil is null ? "vfychain/certutil not found on PATH (Debian: libnss3-tools)" : null;

    public string Version => _version ??= Unavailable is not null ? "" : NssVersion();

    private static string NssVersion()
    {
        // vfychain and certutil print no version; the library's package version is what runs.
        var dpkg = ClientProcess.Which("dpkg-query");
        if (dpkg is not null)
        {
            var r = ClientProcess.Run(dpkg, new[] { "-W", "-f", "${Version}", "libnss3" }, timeoutMs: 30_000);
            if (r.ExitCode == 0 && r.StdOut.Trim().Length > 0) return "NSS " + r.StdOut.Trim();
        }
        return "NSS unknown";
    }

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> cases, string workDir)
    {
        var db = Path.Combine(workDir, "nssdb");
        Directory.CreateDirectory(db);
        var init = ClientProcess.Run(_certutil!, new[] { "-N", "-d", "sql:" + db, "--empty-password" }, workDir: workDir);
        if (init.ExitCode != 0) throw new InvalidOperationException("certutil -N failed: " + init.StdErr);
        return cases.Select((c, i) => ClientProcess.Named(c, () => RunOne(c, db, Path.Combine(workDir, "c" + i)))).ToList();
    }

    /// <summary>The DER inside a PEM block without parsing it (vfychain must see even certificates .NET cannot load).</summary>
    private static byte[] RawDer(string pem)
    {
        var body = string.Concat(pem.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
        return Convert.FromBase64String(body);
    }

    private ClientVerdict RunOne(ClientCase c, string db, string dir)
    {
        if (c.UnsupportedReason is { } why) return ClientVerdict.Unsupported(c, why);
        if (c.KeyUsages.Count > 0) return ClientVerdict.Unsupported(c, "vfychain takes no key-usage requirement");
        if (c.MaxDepth is not null) return ClientVerdict.Unsupported(c, "vfychain takes no chain-depth limit");
        if (c.HasPolicyInputs) return ClientVerdict.Unsupported(c, "vfychain takes one policy OID and no explicit/inhibit inputs");
        if (c.Time is { } t && (t.Second != 0 || t.Millisecond != 0)) return ClientVerdict.Unsupported(c, "vfychain -b takes whole minutes");
        if (c.Ekus.Contains("serverAuth") && c.Ekus.Contains("clientAuth")) return ClientVerdict.Unsupported(c, "vfychain takes one usage");
        if (c.Ekus.Any(e => e is not ("serverAuth" or "clientAuth"))) return ClientVerdict.Unsupported(c, "EKU " + string.Join(",", c.Ekus));
        Directory.CreateDirectory(dir);
        var ignored = new List<string>();
        if (c.PeerName is not null) ignored.Add("peer-name");
        if (c.Crls.Count > 0) ignored.Add("crls");
        var usage = c.Ekus.Contains("clientAuth") || c.Purpose == "client" ? "0" : "1";
        var args = new List<string> { "-d", "sql:" + db, "-pp", "-u", usage };
        if (c.Time is { } at) args.AddRange(new[] { "-b", at.UtcDateTime.ToString("yyMMddHHmm", CultureInfo.InvariantCulture) + "Z" });
        int n = 0;
        string File(string pem)
        {
            var f = Path.Combine(dir, $"cert{n++}.der");
            System.IO.File.WriteAllBytes(f, RawDer(pem));
            return f;
        }
        args.Add(File(c.Leaf));
        foreach (var p in c.Intermediates) args.Add(File(p));
        foreach (var p in c.Trusted) { args.Add("-t"); args.Add(File(p)); }
        var r = ClientProcess.Run(_vfychain!, args, workDir: dir, timeoutMs: ClientProcess.CaseTimeoutMs);
        bool ok = r.ExitCode == 0 && (r.StdOut + r.StdErr).Contains("Chain is good!", StringComparison.Ordinal);
        var text = (r.StdOut + "\n" + r.StdErr).Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.Contains("failed", StringComparison.OrdinalIgnoreCase));
        return new ClientVerdict
        {
            Corpus = c.Corpus,
            Case = c.Id,
            Verdict = ok ? "accept" : "reject",
            Error = ok ? "" : ClientProcess.Clean(string.Join("\n", text.Distinct()) is { Length: > 0 } s ? s : r.StdOut + r.StdErr, dir),
            Ignored = ignored.Count > 0 ? ignored : null,
        };
    }
}
