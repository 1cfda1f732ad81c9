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
/// server certificates it signs are recorded too, in the rotating generation's own store (listed with the vault CA's by
/// <c>Get-IssuedCertificate</c>); they carry no CDP, since no CRL of the vault CA could cover them, so what is revoked
/// is the (t) CA, which lives only for two rotation periods.</para>
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

    public void Record(IssuanceRecord record) => RecordMany(new[] { record });

    /// <summary>
    /// One transaction per signing CA in the batch (one open of its store, one flush to disk): the vault CA's, or a rotating
    /// generation's when its server certificates are in the batch (a batch can span a rotation).
    /// </summary>
    public void RecordMany(IReadOnlyList<IssuanceRecord> records)
    {
        foreach (var group in records.GroupBy(r => (r.Issuer.Collection, r.Issuer.Name, r.Issuer.Certificate.Thumbprint, r.Issuer.IsRotating)))
        {
            var first = group.First();
            if (CaKind.FromCollection(first.Issuer.Collection) is not { } kind)
                continue;
            var ca = new CaDirectory(vault).Resolve(kind, first.Issuer.Name);
            if (first.Issuer.IsRotating)
                ca = ca.RotatingGeneration(first.Issuer.Certificate);
#pragma warning disable SYSLIB0057
            var certificates = group.Select(r => new System.Security.Cryptography.X509Certificates.X509Certificate2(r.CertificateDer)).ToList();
#pragma warning restore SYSLIB0057
            try
            {
                ca.Record(certificates.Zip(group, (c, r) => (c, r.Kind == IssuedProfiles.RotatingIssuer ? IssuedProfiles.RotatingIssuer : IssuedProfiles.Server, r.NotBefore)).ToList());
            }
            finally
            {
                foreach (var c in certificates)
                    c.Dispose();
            }
        }
    }
}
