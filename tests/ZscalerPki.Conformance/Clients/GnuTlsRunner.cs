using System.Globalization;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// GnuTLS through <c>certtool --verify</c>, one process per case: <c>--load-ca-certificate</c> the case's trust anchors,
/// <c>--infile</c> the peer certificate followed by the intermediates, <c>--load-crl</c> its CRLs,
/// <c>--verify-hostname</c> (host name or IP), <c>--verify-purpose</c> (the TLS server/client EKU OID) and
/// <c>--verify-profile low</c> (what the NORMAL priority string applies in a GnuTLS TLS session). certtool has no
/// validation-time option: when the case has one, certtool runs under libfaketime (<c>faketime</c>, frozen clock at that
/// second); without faketime, or for a sub-second time, the case is unsupported. No chain-depth limit, no key-usage
/// requirement and no policy inputs: those cases are unsupported.
/// </summary>
public sealed class GnuTlsRunner : IClientRunner
{
    private readonly string? _exe = ClientProcess.Which("certtool");
    private readonly string? _faketime = ClientProcess.Which("faketime");
    private string? _version;

    public string Id => "gnutls";
    public string? Unavailable => _exe is null ? "certtool not found on PATH (Debian: gnutls-bin)" : null;
    public string Version => _version ??= _exe is null ? "" : "GnuTLS " + ClientProcess.VersionOf(_exe, "--version").Replace("certtool ", "");

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> cases, string workDir) =>
        cases.Select((c, i) => ClientProcess.Named(c, () => RunOne(c, Path.Combine(workDir, "c" + i)))).ToList();

    private ClientVerdict RunOne(ClientCase c, string dir)
    {
        if (c.UnsupportedReason is { } why) return ClientVerdict.Unsupported(c, why);
        if (c.KeyUsages.Count > 0) return ClientVerdict.Unsupported(c, "certtool takes no key-usage requirement");
        if (c.MaxDepth is not null) return ClientVerdict.Unsupported(c, "certtool takes no chain-depth limit");
        if (c.HasPolicyInputs) return ClientVerdict.Unsupported(c, "certtool takes no certificate-policy inputs");
        if (c.Time is { } t && (_faketime is null || t.Millisecond != 0))
            return ClientVerdict.Unsupported(c, _faketime is null ? "certtool has no validation-time option and faketime is not installed" : "faketime takes whole seconds");
        if (c.Ekus.Contains("serverAuth") && c.Ekus.Contains("clientAuth")) return ClientVerdict.Unsupported(c, "certtool takes one purpose");
        if (c.Ekus.Any(e => e is not ("serverAuth" or "clientAuth"))) return ClientVerdict.Unsupported(c, "EKU " + string.Join(",", c.Ekus));
        Directory.CreateDirectory(dir);
        ClientProcess.WriteFile(Path.Combine(dir, "ca.pem"), string.Concat(c.Trusted));
        ClientProcess.WriteFile(Path.Combine(dir, "chain.pem"), c.Leaf + string.Concat(c.Intermediates));
        var args = new List<string> { "--verify", "--verify-profile", "low", "--load-ca-certificate", Path.Combine(dir, "ca.pem"), "--infile", Path.Combine(dir, "chain.pem") };
        if (c.Crls.Count > 0)
        {
            ClientProcess.WriteFile(Path.Combine(dir, "crls.pem"), string.Concat(c.Crls));
            args.AddRange(new[] { "--load-crl", Path.Combine(dir, "crls.pem") });
        }
        if (c.PeerName is not null) args.AddRange(new[] { "--verify-hostname", c.PeerName });
        var purpose = c.Ekus.Contains("clientAuth") || c.Purpose == "client" ? "1.3.6.1.5.5.7.3.2" : c.Purpose == "server" ? "1.3.6.1.5.5.7.3.1" : null;
        if (purpose is not null) args.AddRange(new[] { "--verify-purpose", purpose });
        string exe = _exe!;
        Dictionary<string, string>? env = null;
        if (c.Time is { } at)
        {
            args.Insert(0, exe);
            args.Insert(0, at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            exe = _faketime!;
            env = new Dictionary<string, string> { ["TZ"] = "UTC" };
        }
        var r = ClientProcess.Run(exe, args, env: env, workDir: dir, timeoutMs: ClientProcess.CaseTimeoutMs);
        var summary = r.StdOut.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("Chain verification output:", StringComparison.Ordinal));
        bool ok = r.ExitCode == 0 && summary is not null && summary.Contains("Verified.", StringComparison.Ordinal) && !summary.Contains("Not verified", StringComparison.Ordinal);
        return new ClientVerdict
        {
            Corpus = c.Corpus,
            Case = c.Id,
            Verdict = ok ? "accept" : "reject",
            Error = ok ? "" : ClientProcess.Clean(summary ?? (r.StdErr.Length > 0 ? r.StdErr : r.StdOut), dir),
        };
    }
}
