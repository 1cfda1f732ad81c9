using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// The rotating issuing CA ("(t)" in Zscaler's chain): a CA with path length 0 below the vault CA, whose name is the
/// issuer's with " (t)" appended to the CN, re-issued every rotation period (default 7 days) and valid for two periods
/// (so leaves forged late in a period keep a period's life), never beyond its parent. Its key is sealed in the vault next
/// to the issuer; the newest generation that is younger than the period and issued by the current parent certificate is used.
/// </summary>
public static class RotatingIssuerService
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(7);
    public static readonly TimeSpan MinPeriod = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(365);
    private const int KeptGenerations = 8;

    public static void CheckPeriod(TimeSpan period)
    {
        if (period < MinPeriod || period > MaxPeriod)
            throw new PkiException(PkiErrorIds.InvalidRotationPeriod, PkiErrorCategory.InvalidArgument,
                $"The rotation period {period} is out of range. Pass between 1 hour and 365 days (default 7 days).", period);
    }

    /// <summary>Refuses rotation below a CA whose path length is 0 (it may not sign another CA).</summary>
    public static void RequireRoomForRotation(X509Certificate2 parent, string label)
    {
        if (CaCertificateBuilder.PathLengthOf(parent) is 0)
            throw new PkiException(PkiErrorIds.RotationNotAllowed, PkiErrorCategory.InvalidOperation,
                $"The issuer {label} has path length 0, so a rotating issuing CA below it would be rejected by every client. Sign server certificates with {label} directly (no rotation), or create the intermediate with path length 1 (New-IntermediateCsr -PathLength 1, as Zscaler's CSR offers).", label);
    }

    /// <summary>
    /// The current generation (certificate + key), issuing, recording (<paramref name="recordIssued"/>) and persisting a
    /// new one when due. Recorded before it is persisted: a (t) CA the issued-certificate database does not know could not
    /// be revoked, so when recording throws nothing is written and the next call issues again.
    /// </summary>
    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key, bool Issued) Current(
        InspectionStore store, X509Certificate2 parent, AsymmetricAlgorithm parentKey, IssuerPublication parentPublication,
        TimeSpan period, DateTimeOffset now, Action<X509Certificate2> recordIssued)
    {
        if (TryCurrent(store.ReadRotating(), store, parent, period, now) is { } found)
            return (found.Certificate, found.Key, false);
        using (store.Lock())
        {
            var state = store.ReadRotating();
            if (TryCurrent(state, store, parent, period, now) is { } raced)
                return (raced.Certificate, raced.Key, false);

            AsymmetricAlgorithm key = parentKey is ECDsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
            var extra = new List<X509Extension>();
            if (parentPublication.CrlDistributionPoints.Count > 0)
                extra.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(parentPublication.CrlDistributionPoints));
            if (parentPublication.OcspUrls.Count + parentPublication.CaIssuersUrls.Count > 0)
                extra.Add(new X509AuthorityInformationAccessExtension(parentPublication.OcspUrls, parentPublication.CaIssuersUrls));
            var cert = CaCertificateBuilder.Issue(RotatingName(parent.SubjectName), Keys.PublicKeyOf(key),
                new CaCertificateBuilder.Signer(parent, parentKey), SignatureHash.Sha256,
                now - CaCertificateBuilder.Backdate, now + period + period, pathLength: 0, extra);
            recordIssued(cert);
            var pem = CertificateReader.ToPem(cert);
            var generations = state.Generations.ToList();
            generations.Add(new RotatingGeneration
            {
                CertificatePem = pem,
                SealedKey = store.Seal(key.ExportPkcs8PrivateKey(), "rotating/" + cert.Thumbprint),
                ParentThumbprint = parent.Thumbprint,
                CreatedUtc = now,
            });
            store.WriteRotating(new RotatingState { Generations = generations.TakeLast(KeptGenerations).ToList() });
            return (cert, key, true);
        }
    }

    private static (X509Certificate2 Certificate, AsymmetricAlgorithm Key)? TryCurrent(RotatingState state, InspectionStore store, X509Certificate2 parent, TimeSpan period, DateTimeOffset now)
    {
        var g = state.Generations.LastOrDefault(x => x.ParentThumbprint == parent.Thumbprint);
        if (g is null || now >= g.CreatedUtc + period || now < g.CreatedUtc - CaCertificateBuilder.Backdate)
            return null;
        var cert = CertificateReader.ReadSingle(System.Text.Encoding.ASCII.GetBytes(g.CertificatePem), $"the rotating CA of {store.Directory}");
        if (now >= cert.NotAfter.ToUniversalTime())
            return null;
        var pkcs8 = store.Unseal(g.SealedKey, "rotating/" + cert.Thumbprint);
        AsymmetricAlgorithm key = cert.GetECDsaPublicKey() is not null ? ECDsa.Create() : RSA.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        CryptographicOperations.ZeroMemory(pkcs8);
        return (cert, key);
    }

    /// <summary>The parent's name with " (t)" appended to its CN (or a CN "(t)" added when it has none).</summary>
    public static X500DistinguishedName RotatingName(X500DistinguishedName parent)
    {
        var builder = new X500DistinguishedNameBuilder();
        var sawCn = false;
        foreach (var rdn in parent.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
                continue;
            var oid = rdn.GetSingleElementType().Value!;
            var value = rdn.GetSingleElementValue() ?? string.Empty;
            if (oid == "2.5.4.3")
            {
                builder.AddCommonName(value + " (t)");
                sawCn = true;
            }
            else if (oid == "2.5.4.6")
                builder.AddCountryOrRegion(value);
            else
                builder.Add(oid, value);
        }
        if (!sawCn)
            builder.AddCommonName("Rotating issuing CA (t)");
        return builder.Build();
    }
}
