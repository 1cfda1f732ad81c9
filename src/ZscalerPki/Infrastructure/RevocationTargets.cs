using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Infrastructure;

/// <summary>The certificates Revoke-/Restore-Certificate act on: serials, and certificates from objects, files or the pipeline.</summary>
internal static class RevocationTargets
{
    /// <param name="IssuerIdentity">For a row from Get-IssuedCertificate, the identity (kind/name) of the CA that issued it.</param>
    public sealed record Target(string? Serial, X509Certificate2? Certificate, string Label, string? IssuerIdentity = null);

    public static IReadOnlyList<Target> Resolve(string[]? serials, object[]? certificates, Func<string, IReadOnlyList<string>> resolveFile)
    {
        var targets = new List<Target>();
        foreach (var s in serials ?? Array.Empty<string>())
            targets.Add(new Target(s, null, $"serial {s}"));
        foreach (var item in certificates ?? Array.Empty<object>())
        {
            var value = CertificateInput.Unwrap(item);
            if (value is IssuedCertificateRecord record)
            {
                targets.Add(new Target(null, record.Certificate, $"'{record.Subject}' (serial {record.SerialNumber})", record.IssuerIdentity));
                continue;
            }
            foreach (var cert in SubjectOf(CertificateInput.Resolve(value, resolveFile)))
                targets.Add(new Target(null, cert, $"'{cert.Subject}' (serial {cert.SerialNumber})"));
        }
        return targets;
    }

    /// <summary>
    /// What one input names: a file that holds a certificate followed by its chain (each one issued by the next, as our
    /// exports and an openssl s_client -showcerts capture write them) names its first certificate, not its CAs; a file
    /// of unrelated certificates (a bulk list) names each of them.
    /// </summary>
    internal static IEnumerable<X509Certificate2> SubjectOf(IReadOnlyList<X509Certificate2> certificates)
    {
        if (certificates.Count < 2)
            return certificates;
        for (var i = 0; i + 1 < certificates.Count; i++)
        {
            if (!certificates[i].IssuerName.RawData.AsSpan().SequenceEqual(certificates[i + 1].SubjectName.RawData))
                return certificates;
        }
        return certificates.Take(1);
    }
}
