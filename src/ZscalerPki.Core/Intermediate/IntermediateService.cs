using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// SSL-inspection intermediate CAs in a vault: key and CSR, import of the signed certificate (validated), status, default,
/// the subscription's limits, export of the upload bundle. Every change runs under the vault lock and re-reads the vault,
/// so the limits hold across concurrent sessions; a failed check leaves the entry as it was.
/// </summary>
public sealed partial class IntermediateService
{
    public const string DefaultRegion = "Global";

    private readonly Vault _vault;
    private readonly Hsm.HsmKeyFactory _hsm;

    public IntermediateService(Vault vault)
        : this(vault, Hsm.HsmKeyFactory.Production)
    {
    }

    /// <summary>A service whose HSM keys go through <paramref name="hsm"/> (tests pass one over a fake key storage provider).</summary>
    public IntermediateService(Vault vault, Hsm.HsmKeyFactory hsm)
    {
        _vault = vault;
        _hsm = hsm;
    }

    public Vault Vault => _vault;

    public IntermediateLimits Limits => IntermediateLimits.For(_vault.ReadSettings().Subscription);

    // ---------------------------------------------------------------- Get / Set / Remove / Export

    /// <summary>Entries matching the name wildcard and filters, ordered by name.</summary>
    public IReadOnlyList<IntermediateCertificate> Get(string? name = null, IntermediateState? state = null, IntermediateStatus? status = null)
    {
        var pattern = string.IsNullOrEmpty(name) ? null : new Wildcard(name);
        return _vault.ReadAllHealthy<IntermediateEntry>(Collections.Intermediate, e => ToObject(e))
            .Where(e => pattern is null || pattern.IsMatch(e.Name))
            .Where(e => state is null || e.State == state)
            .Where(e => status is null || e.Status == status)
            .Select(ToObject)
            .ToList();
    }

    /// <summary>One entry by exact name (ignoring case); <c>NotFound</c> when missing.</summary>
    public IntermediateCertificate GetOne(string name)
    {
        var entry = Read(name);
        return _vault.Convert(Collections.Intermediate, entry.Name, entry, ToObject);
    }

    /// <summary>The upload bundle: the certificate, then its chain up to the root (PEM).</summary>
    public string ExportBundle(string name, bool includeChain = true)
    {
        var entry = Read(name);
        if (entry.State != IntermediateState.CertReady || entry.CertificatePem is null)
            throw new PkiException(PkiErrorIds.IntermediateNotReady, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' has no signed certificate yet (state {entry.State}). Have its CSR signed (Submit-CertificateRequest, or your CA) and run Import-SignedIntermediate first.", entry.Name);
        return includeChain ? entry.CertificatePem + (entry.ChainPem ?? string.Empty) : entry.CertificatePem;
    }

    private static IntermediateEntry Find(IReadOnlyList<IntermediateEntry> all, string name) =>
        all.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw Vault.NotFound(Collections.Intermediate, name);

    private IntermediateEntry Read(string name) =>
        _vault.TryRead<IntermediateEntry>(Collections.Intermediate, name) ?? throw Vault.NotFound(Collections.Intermediate, name);

    private IntermediateCertificate ToObject(IntermediateEntry entry) => new(entry, _vault.Root);

    /// <summary>The entry's CSR public key from its <c>PublicKeyPem</c> field; a FormatException naming the field when it is not one.</summary>
    private static PublicKey CsrPublicKey(string pem)
    {
        try
        {
            if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PUBLIC KEY")
                throw new FormatException("its field 'PublicKeyPem' is not a PEM PUBLIC KEY");
            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            var key = PublicKey.CreateFromSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
                throw new FormatException("its field 'PublicKeyPem' has bytes after the public key");
            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or System.Formats.Asn1.AsnContentException)
        {
            throw new FormatException($"its field 'PublicKeyPem' does not decode as a public key ({ex.Message.TrimEnd('.')})", ex);
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string List(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
