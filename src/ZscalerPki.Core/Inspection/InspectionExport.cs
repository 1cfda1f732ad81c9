using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Inspection;

/// <summary>Export-InspectionCertificate's engine: PEM (leaf, chain leaf-first root-last, encrypted key) and PFX.</summary>
public static class InspectionExport
{
    public static byte[] Export(InspectionCertificate forged, ExportFormat format, bool includeChain, bool includeKey, ReadOnlySpan<char> password)
    {
        if (includeKey && !forged.HasPrivateKey)
            throw new PkiException(PkiErrorIds.PrivateKeyNotIncluded, PkiErrorCategory.InvalidArgument,
                $"The certificate for {forged.Name} was returned without its private key. Forge it with -IncludePrivateKey (a cache hit returns the same certificate and key), then export.", forged.Name);
        var certs = new List<X509Certificate2> { forged.Certificate };
        if (includeChain)
            certs.AddRange(forged.Chain);
        switch (format)
        {
            case ExportFormat.Der:
                if (certs.Count > 1 || includeKey)
                    throw new PkiException(PkiErrorIds.FormatCannotHoldChain, PkiErrorCategory.InvalidArgument,
                        "DER holds exactly one certificate and no key. Use -Format Pem or Pfx for the chain or -IncludePrivateKey.", forged.Name);
                return forged.Certificate.RawData;
            case ExportFormat.Pem:
            {
                var sb = new StringBuilder();
                foreach (var c in certs)
                    sb.Append(CertificateReader.ToPem(c));
                if (includeKey)
                {
                    if (password.IsEmpty)
                        throw new PkiException(PkiErrorIds.ExportPasswordRequired, PkiErrorCategory.InvalidArgument,
                            "An exported private key is always encrypted: pass -Password.", forged.Name);
                    using var key = PrivateKey(forged.Certificate);
                    sb.Append(KeyProtection.Encrypt(key, password)).Append('\n');
                }
                return Encoding.ASCII.GetBytes(sb.ToString());
            }
            case ExportFormat.Pfx:
            {
                if (password.IsEmpty)
                    throw new PkiException(PkiErrorIds.ExportPasswordRequired, PkiErrorCategory.InvalidArgument,
                        "A PFX export needs -Password.", forged.Name);
                // Written as the enrollment PFX is (PfxWriter): PBES2 AES-256 with a SHA-256 MAC, and without a key the
                // certificates carry Java's trusted-certificate attribute so keytool lists them. The platform exporter
                // would write 3DES with a SHA-1 MAC, and keytool would list none of its certificates.
                if (!includeKey)
                    return PfxWriter.Write(certs, null, password);
                using (var key = PrivateKey(forged.Certificate))
                    return PfxWriter.Write(certs, key, password);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    private static AsymmetricAlgorithm PrivateKey(X509Certificate2 c) =>
        (AsymmetricAlgorithm?)c.GetECDsaPrivateKey() ?? c.GetRSAPrivateKey()
        ?? throw new PkiException(PkiErrorIds.PrivateKeyNotIncluded, PkiErrorCategory.InvalidArgument, "The certificate carries no private key.", c.Subject);
}
