using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>OpenSSL 3 (<c>openssl verify -x509_strict</c>) as an oracle on chains generated with CertificateRequest.</summary>
public class OpenSslAgreementTests
{
    private static bool? OpenSslVerify(X509Certificate2 root, IEnumerable<X509Certificate2> untrusted, X509Certificate2 leaf, out string output)
    {
        var dir = Directory.CreateTempSubdirectory("zpki-ossl-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "root.pem"), root.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir.FullName, "untrusted.pem"), string.Join("\n", untrusted.Select(c => c.ExportCertificatePem())) + "\n");
            File.WriteAllText(Path.Combine(dir.FullName, "leaf.pem"), leaf.ExportCertificatePem());
            var psi = new ProcessStartInfo("openssl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = dir.FullName,
            };
            foreach (var a in new[] { "verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "untrusted.pem", "leaf.pem" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            if (p is null) { output = "openssl not started"; return null; }
            output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit(20_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            output = "openssl not available: " + ex.Message;
            return null;
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static bool Ours(X509Certificate2 root, IReadOnlyList<X509Certificate2> untrusted, X509Certificate2 leaf, out string tree)
    {
        var r = ChainValidator.Validate(new ChainValidationRequest { Certificate = leaf, TrustedRoots = new[] { root }, Intermediates = untrusted });
        tree = r.ToTreeString();
        return r.IsValid;
    }

    [Fact]
    public void OpenSsl_AgreesOnGeneratedChains()
    {
        using var root = TestCa.CreateRoot("CN=Oracle Root", rsa: true);
        using var inter = root.IssueCa("CN=Oracle Intermediate", rsa: true);
        using var pathLen0 = root.IssueCa("CN=Oracle PathLen0", pathLen: 0, rsa: true);
        using var underPathLen0 = pathLen0.IssueCa("CN=Oracle Under PathLen0", rsa: true);
        using var notCa = root.IssueCa("CN=Oracle Not A CA", rsa: true, isCa: false);
        using var otherRoot = TestCa.CreateRoot("CN=Oracle Other Root", rsa: true);

        var cases = new (string Name, IReadOnlyList<X509Certificate2> Untrusted, X509Certificate2 Leaf, bool Expected)[]
        {
            ("valid 3-cert chain", new[] { inter.Certificate }, inter.IssueLeaf("ok.example", rsa: true), true),
            ("missing intermediate", Array.Empty<X509Certificate2>(), inter.IssueLeaf("missing.example", rsa: true), false),
            ("issuer is not a CA", new[] { notCa.Certificate }, notCa.IssueLeaf("notca.example", rsa: true), false),
            ("pathLen 0 exceeded", new[] { pathLen0.Certificate, underPathLen0.Certificate }, underPathLen0.IssueLeaf("pathlen.example", rsa: true), false),
            ("untrusted root", new[] { otherRoot.Certificate }, otherRoot.IssueLeaf("other.example", rsa: true), false),
            ("expired leaf", new[] { inter.Certificate }, inter.IssueLeaf("expired.example", rsa: true, notAfter: TestCa.Now.AddHours(-1)), false),
        };
        foreach (var (name, untrusted, leaf, expected) in cases)
        {
            var oracle = OpenSslVerify(root.Certificate, untrusted, leaf, out var output);
            if (oracle is null) return; // no openssl on this machine: nothing to compare against
            var ours = Ours(root.Certificate, untrusted, leaf, out var tree);
            Assert.True(expected == ours, $"{name}: ours={ours}, expected={expected}\n{tree}");
            Assert.True(oracle == ours, $"{name}: openssl={oracle} ({output.Trim()}), ours={ours}\n{tree}");
        }
    }
}
