using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// Forging wired to the vault CA's stored URLs and issued-certificate database (the defaults an <see cref="InspectionService"/> builds for its vault):
/// a forged certificate carries the CDP and AIA caIssuers URLs stored with its issuing vault CA (not the ones inside the CA's
/// own certificate, which point at the CA's parent), and every certificate actually signed is recorded, so
/// <c>Get-IssuedCertificate</c> lists it and <c>Revoke-Certificate</c> can revoke it.
/// <para>A rotating issuing CA ("(t)") is itself recorded in its vault CA's database and carries the vault CA's URLs. The
/// server certificates it signs carry no CDP and are not recorded: no CRL of the vault CA could cover them (their issuer
/// is the (t) CA), and the (t) CA lives only for its rotation period.</para>
/// </summary>
internal sealed class StoredCaPublication(Vault vault) : IIssuerPublicationSource
{
    public IssuerPublication GetPublication(IssuerReference issuer)
    {
        if (issuer.IsRotating || CaKind.FromCollection(issuer.Collection) is not { } kind)
            return IssuerPublication.None;
        // By identity (kind + name): a name an enrollment CA and an intermediate share must not pick the other one.
        var ca = new CaDirectory(vault).Resolve(kind, issuer.Name);
        return new IssuerPublication { CrlDistributionPoints = ca.CrlDistributionPoints, CaIssuersUrls = ca.AuthorityInfoAccess };
    }
}

/// <inheritdoc cref="StoredCaPublication"/>
internal sealed class IssuedCertificateRecorder(Vault vault) : IIssuanceRecorder
{
    public const string RotatingIssuerProfile = "RotatingIssuer";

    public void Record(IssuanceRecord record) => RecordMany(new[] { record });

    /// <summary>One transaction for the batch (all records name one issuer): one open of the store, one flush to disk.</summary>
    public void RecordMany(IReadOnlyList<IssuanceRecord> records)
    {
        var first = records.FirstOrDefault();
        if (first is null || first.Issuer.IsRotating || CaKind.FromCollection(first.Issuer.Collection) is not { } kind)
            return;
        var ca = new CaDirectory(vault).Resolve(kind, first.Issuer.Name);
#pragma warning disable SYSLIB0057
        var certificates = records.Select(r => new System.Security.Cryptography.X509Certificates.X509Certificate2(r.CertificateDer)).ToList();
#pragma warning restore SYSLIB0057
        try
        {
            ca.Record(certificates.Select((c, i) => (c, records[i].Kind == "RotatingIssuer" ? RotatingIssuerProfile : IssuedProfiles.Server, records[i].NotBefore)).ToList());
        }
        finally
        {
            foreach (var c in certificates)
                c.Dispose();
        }
    }
}
