namespace ZscalerPki.Core.Certificates;

/// <summary>The file formats every Export-* cmdlet writes (one enum for all of them).</summary>
public enum ExportFormat
{
    /// <summary>PEM text: the certificate, then its chain (leaf first, root last), then an encrypted PKCS#8 key when included.</summary>
    Pem,
    /// <summary>DER: exactly one certificate (never a chain or a key).</summary>
    Der,
    /// <summary>PKCS#12 (.pfx): the certificates and, when included, the private key, protected by -Password.</summary>
    Pfx,
}
