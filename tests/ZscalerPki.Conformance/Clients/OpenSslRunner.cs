using System.Globalization;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// OpenSSL 3 through <c>openssl verify</c>, one process per case: <c>-CAfile</c> the case's trust anchors only (no
/// default store), <c>-untrusted</c> its intermediates, <c>-CRLfile</c> + <c>-crl_check_all</c> when it has CRLs,
/// <c>-attime</c>, <c>-purpose sslserver|sslclient</c> (what libssl sets for a TLS client/server), <c>-verify_hostname</c>
/// / <c>-verify_ip</c>, <c>-verify_depth</c>, and the PKITS policy inputs (<c>-policy</c>, <c>-explicit_policy</c>,
/// <c>-inhibit_map</c>, <c>-inhibit_any</c>). <paramref name="strict"/> adds <c>-x509_strict</c> (X509_V_FLAG_X509_STRICT,
/// what Python 3.13's VERIFY_X509_STRICT turns on).
/// </summary>
public sealed class OpenSslRunner(bool strict) : IClientRunner
{
    private readonly string? _exe = ClientProcess.Which("openssl");
    private string? _version;

    public string Id => strict ? "openssl-strict" : "openssl";
    public string? Unavailable => _exe is null ? "openssl not found on PATH" : null;
    public string Version => _version ??= _exe is null ? "" : ClientProcess.VersionOf(_exe, "version");

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> cases, string workDir) =>
        cases.Select((c, i) => ClientProcess.Named(c, () => RunOne(c, Path.Combine(workDir, "c" + i)))).ToList();

    private ClientVerdict RunOne(ClientCase c, string dir)
    {
        if (c.UnsupportedReason is { } why) return ClientVerdict.Unsupported(c, why);
        if (c.KeyUsages.Count > 0) return ClientVerdict.Unsupported(c, "openssl verify takes no key-usage requirement");
        if (c.Time is { } t && t.Millisecond != 0) return ClientVerdict.Unsupported(c, "openssl -attime takes whole seconds");
        if (c.Ekus.Any(e => e is not ("serverAuth" or "clientAuth"))) return ClientVerdict.Unsupported(c, "openssl -purpose takes only TLS server/client EKUs here");
        Directory.CreateDirectory(dir);
        var args = new List<string> { "verify", "-no-CApath", "-no-CAstore" };
        if (c.Trusted.Count > 0)
        {
            ClientProcess.WriteFile(Path.Combine(dir, "trusted.pem"), string.Concat(c.Trusted));
            args.AddRange(new[] { "-CAfile", Path.Combine(dir, "trusted.pem") });
        }
        else args.Add("-no-CAfile");
        if (c.Intermediates.Count > 0)
        {
            ClientProcess.WriteFile(Path.Combine(dir, "untrusted.pem"), string.Concat(c.Intermediates));
            args.AddRange(new[] { "-untrusted", Path.Combine(dir, "untrusted.pem") });
        }
        if (c.Crls.Count > 0)
        {
            ClientProcess.WriteFile(Path.Combine(dir, "crls.pem"), string.Concat(c.Crls));
            args.AddRange(new[] { "-CRLfile", Path.Combine(dir, "crls.pem"), "-crl_check_all" });
        }
        if (c.Time is { } at) args.AddRange(new[] { "-attime", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) });
        var purpose = c.Ekus.Contains("clientAuth") || c.Purpose == "client" ? "sslclient" : c.Purpose == "server" ? "sslserver" : null;
        if (c.Ekus.Contains("serverAuth") && c.Ekus.Contains("clientAuth")) return ClientVerdict.Unsupported(c, "openssl -purpose takes one purpose");
        if (purpose is not null) args.AddRange(new[] { "-purpose", purpose });
        if (c.PeerNameKind == "DNS") args.AddRange(new[] { "-verify_hostname", c.PeerName! });
        else if (c.PeerNameKind == "IP") args.AddRange(new[] { "-verify_ip", c.PeerName! });
        if (c.MaxDepth is { } depth) args.AddRange(new[] { "-verify_depth", depth.ToString(CultureInfo.InvariantCulture) });
        foreach (var oid in c.InitialPolicySet ?? Array.Empty<string>()) args.AddRange(new[] { "-policy", oid });
        if (c.ExplicitPolicy) args.Add("-explicit_policy");
        if (c.PolicyMappingInhibit) args.Add("-inhibit_map");
        if (c.AnyPolicyInhibit) args.Add("-inhibit_any");
        if (c.HasPolicyInputs) args.Add("-policy_check");
        if (strict) args.Add("-x509_strict");
        ClientProcess.WriteFile(Path.Combine(dir, "leaf.pem"), c.Leaf);
        args.Add(Path.Combine(dir, "leaf.pem"));
        var r = ClientProcess.Run(_exe!, args, workDir: dir, timeoutMs: ClientProcess.CaseTimeoutMs);
        bool ok = r.ExitCode == 0 && r.StdOut.Contains(": OK", StringComparison.Ordinal);
        return new ClientVerdict
        {
            Corpus = c.Corpus,
            Case = c.Id,
            Verdict = ok ? "accept" : "reject",
            Error = ok ? "" : ClientProcess.Clean(r.StdErr.Length > 0 ? r.StdErr : r.StdOut, dir),
            Ignored = null,
        };
    }
}
