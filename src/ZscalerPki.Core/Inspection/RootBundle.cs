using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// Export-RootCertificateBundle's engine: the analogue of Zscaler's <c>ZscalerRootCerts.zip</c> — each trusted root as
/// <c>.crt</c> (DER, what GPO and MDM profiles import) and <c>.pem</c>, and a README with the import steps.
/// </summary>
public static class RootBundle
{
    /// <summary>The root of a vault issuer's chain (the default SSL-inspection intermediate when <paramref name="issuer"/> is null).</summary>
    public static X509Certificate2 RootOf(Vault vault, string? issuer)
    {
        var ca = new Authority.CaDirectory(vault).ResolveOrDefault(issuer);
        var root = ca.Chain[^1];
        if (!IsSelfSigned(root))
            throw new PkiException(PkiErrorIds.RootNotFound, PkiErrorCategory.ObjectNotFound,
                $"The chain of '{ca.Identity}' ends at '{root.Subject}', which is not a self-signed root: its root was not imported. Import the intermediate's chain up to the root (Import-SignedIntermediate -ChainPath), or pass the root with -Certificate.", ca.Identity);
        return root;
    }

    /// <summary>Checks that a certificate given as a root is a self-signed CA.</summary>
    public static X509Certificate2 RequireRoot(X509Certificate2 c)
    {
        var bc = c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (!IsSelfSigned(c) || bc is not { CertificateAuthority: true })
            throw new PkiException(PkiErrorIds.RootNotFound, PkiErrorCategory.InvalidArgument,
                $"'{c.Subject}' ({c.Thumbprint}) is not a self-signed root CA certificate. Pass the root at the top of the chain; clients receive the intermediates from the proxy.", c);
        return c;
    }

    private static bool IsSelfSigned(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);

    /// <summary>The ZIP: per root <c>&lt;CN&gt;.crt</c> (DER) and <c>&lt;CN&gt;.pem</c>, and README.txt.</summary>
    public static byte[] Build(IReadOnlyList<X509Certificate2> roots, DateTimeOffset? now = null)
    {
        var unique = roots.GroupBy(r => r.Thumbprint).Select(g => g.First()).ToList();
        var stamp = now ?? DateTimeOffset.UtcNow;
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var names = new List<(string File, X509Certificate2 Cert)>();
            foreach (var root in unique)
            {
                var baseName = FileNameOf(root);
                while (names.Any(n => n.File == baseName))
                    baseName += "_" + root.Thumbprint[..8];
                names.Add((baseName, root));
                Add(zip, baseName + ".crt", root.RawData, stamp);
                Add(zip, baseName + ".pem", Encoding.ASCII.GetBytes(CertificateReader.ToPem(root)), stamp);
            }
            Add(zip, "README.txt", Encoding.UTF8.GetBytes(Readme(names)), stamp);
        }
        return ms.ToArray();
    }

    /// <summary>
    /// The fleet artefacts written beside the ZIP: an Apple configuration profile (<c>.mobileconfig</c>, one
    /// <c>com.apple.security.root</c> payload per root, for MDM or a double-click on macOS/iOS) and per root a DER <c>.cer</c>
    /// (what a GPO's Trusted Root Certification Authorities import takes). Identifiers and UUIDs derive from the thumbprints,
    /// so the same roots give the same profile (an MDM sees an update, not a second profile).
    /// </summary>
    public static IReadOnlyList<(string FileName, byte[] Content)> FleetArtifacts(IReadOnlyList<X509Certificate2> roots, string profileName)
    {
        var unique = roots.GroupBy(r => r.Thumbprint).Select(g => g.First()).ToList();
        var files = new List<(string, byte[])> { (profileName + ".mobileconfig", MobileConfig(unique)) };
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var root in unique)
        {
            var name = FileNameOf(root);
            while (!used.Add(name))
                name += "_" + root.Thumbprint[..8];
            files.Add((name + ".cer", root.RawData));
        }
        return files;
    }

    public static byte[] MobileConfig(IReadOnlyList<X509Certificate2> roots)
    {
        static string X(string s) => System.Security.SecurityElement.Escape(s);
        static string Uuid(string seed) => new Guid(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16)).ToString().ToUpperInvariant();
        var all = string.Concat(roots.Select(r => r.Thumbprint));
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        sb.Append("<plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n\t<array>\n");
        foreach (var root in roots)
        {
            var cn = root.GetNameInfo(X509NameType.SimpleName, false);
            sb.Append("\t\t<dict>\n");
            sb.Append($"\t\t\t<key>PayloadCertificateFileName</key>\n\t\t\t<string>{X(FileNameOf(root))}.cer</string>\n");
            sb.Append($"\t\t\t<key>PayloadContent</key>\n\t\t\t<data>{Convert.ToBase64String(root.RawData)}</data>\n");
            sb.Append($"\t\t\t<key>PayloadDescription</key>\n\t\t\t<string>Trusted root for SSL inspection (SHA-1 {root.Thumbprint})</string>\n");
            sb.Append($"\t\t\t<key>PayloadDisplayName</key>\n\t\t\t<string>{X(string.IsNullOrEmpty(cn) ? root.Subject : cn)}</string>\n");
            sb.Append($"\t\t\t<key>PayloadIdentifier</key>\n\t\t\t<string>com.zscalerpki.root.{root.Thumbprint}</string>\n");
            sb.Append("\t\t\t<key>PayloadType</key>\n\t\t\t<string>com.apple.security.root</string>\n");
            sb.Append($"\t\t\t<key>PayloadUUID</key>\n\t\t\t<string>{Uuid("root:" + root.Thumbprint)}</string>\n");
            sb.Append("\t\t\t<key>PayloadVersion</key>\n\t\t\t<integer>1</integer>\n\t\t</dict>\n");
        }
        sb.Append("\t</array>\n");
        sb.Append("\t<key>PayloadDescription</key>\n\t<string>Installs the trusted root certificate(s) of SSL inspection.</string>\n");
        sb.Append("\t<key>PayloadDisplayName</key>\n\t<string>SSL inspection root certificates</string>\n");
        sb.Append($"\t<key>PayloadIdentifier</key>\n\t<string>com.zscalerpki.roots.{Uuid("id:" + all)}</string>\n");
        sb.Append("\t<key>PayloadRemovalDisallowed</key>\n\t<false/>\n");
        sb.Append("\t<key>PayloadType</key>\n\t<string>Configuration</string>\n");
        sb.Append($"\t<key>PayloadUUID</key>\n\t<string>{Uuid("profile:" + all)}</string>\n");
        sb.Append("\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n</dict>\n</plist>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void Add(ZipArchive zip, string name, byte[] content, DateTimeOffset stamp)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = stamp;
        using var s = entry.Open();
        s.Write(content);
    }

    internal static string FileNameOf(X509Certificate2 c)
    {
        var cn = c.GetNameInfo(X509NameType.SimpleName, false);
        if (string.IsNullOrWhiteSpace(cn))
            cn = c.Thumbprint;
        var safe = new string(cn.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_').ToArray()).Trim('_', '.');
        return safe.Length == 0 ? c.Thumbprint : safe.Length > 64 ? safe[..64] : safe;
    }

    private static string Readme(IReadOnlyList<(string File, X509Certificate2 Cert)> roots)
    {
        var sb = new StringBuilder();
        sb.Append("Trusted root certificate(s) for SSL inspection\r\n==============================================\r\n\r\n");
        sb.Append("Install the root below on every device whose traffic is inspected. The inspecting proxy sends the\r\n");
        sb.Append("intermediate (and its rotating issuing CA) with every server certificate, so only the root is installed.\r\n\r\n");
        foreach (var (file, cert) in roots)
        {
            sb.Append($"{file}.crt / {file}.pem\r\n  Subject:     {cert.Subject}\r\n  SHA-1:       {cert.Thumbprint}\r\n");
            sb.Append($"  SHA-256:     {cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)}\r\n");
            sb.Append($"  Valid until: {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC\r\n\r\n");
        }
        sb.Append("Windows, Group Policy: Computer Configuration > Policies > Windows Settings > Security Settings >\r\n");
        sb.Append("  Public Key Policies > Trusted Root Certification Authorities > Import... and choose the .crt file.\r\n");
        sb.Append("  One machine: certutil -addstore -f Root <file>.crt  (elevated), or Import-Certificate -CertStoreLocation Cert:\\LocalMachine\\Root.\r\n");
        sb.Append("macOS / iOS (MDM): a Certificate payload with the .crt file (DER); on macOS also\r\n");
        sb.Append("  sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain <file>.crt\r\n");
        sb.Append("Android (MDM): a CA certificate policy with the .crt file; apps must opt in to user CAs (network security config).\r\n");
        sb.Append("Linux: copy the .pem as /usr/local/share/ca-certificates/<file>.crt and run update-ca-certificates (Debian/Ubuntu),\r\n");
        sb.Append("  or to /etc/pki/ca-trust/source/anchors/ and run update-ca-trust (RHEL/Fedora).\r\n");
        sb.Append("Firefox, Java, Python, Node.js and Git keep their own trust stores: see Zscaler's \"Adding Custom Certificate to an\r\n");
        sb.Append("  Application Specific Trust Store\" (e.g. NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, keytool -importcert).\r\n\r\n");
        sb.Append("Check the fingerprint above against your PKI before you install a root.\r\n");
        return sb.ToString();
    }
}
