using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// The facts admins read off a certificate, as properties of the objects the cmdlets return (so tables, Where-Object
/// and Pester assertions can use them without reaching into <see cref="Certificate"/>).
/// </summary>
public abstract class CertificateFacts
{
    protected CertificateFacts(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public string Subject => Certificate.Subject;
    public string Issuer => Certificate.Issuer;
    public string SerialNumber => Certificate.SerialNumber;
    public string Thumbprint => Certificate.Thumbprint;
    public DateTime NotBefore => Certificate.NotBefore;
    public DateTime NotAfter => Certificate.NotAfter;
}
