using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>The engine alone (no vault): many threads forging and hitting the cache at once.</summary>
public sealed class ForgerConcurrencyTests
{
    [Fact]
    public void ParallelForging_GivesOneValidCertificatePerSite_DistinctSerials_AndHitsReturnTheSameBytes()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var ca = CaCertificateBuilder.Issue(new X500DistinguishedName("CN=Parallel CA"), Keys.PublicKeyOf(caKey), new CaCertificateBuilder.Signer(null, caKey),
            SignatureHash.Sha256, now.AddDays(-1), now.AddYears(1), 0);
        using var issuer = new ForgingIssuer(ca, caKey, Array.Empty<X509Certificate2>());
        var forger = new Forger(issuer, cache: new ForgeCache());
        var sites = Enumerable.Range(0, 200).Select(i => SiteProfile.FromNames(new[] { $"p{i}.parallel.test" }, null)).ToArray();
        var first = new ConcurrentDictionary<string, byte[]>();
        Parallel.For(0, sites.Length * 3, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var site = sites[i % sites.Length];
            var (cert, _) = forger.Get(site, new KeyChoice(InspectionKeyAlgorithm.EcdsaP256, true), now);
            first.TryAdd(site.NameKey, cert.Der);
        });
        Assert.Equal(sites.Length, first.Count);
        var serials = new HashSet<string>();
        foreach (var site in sites)
        {
            var (cert, fromCache) = forger.Get(site, new KeyChoice(InspectionKeyAlgorithm.EcdsaP256, true), now);
            Assert.True(fromCache);
            var x = cert.ToCertificate();
            Assert.True(serials.Add(x.SerialNumber));
            // The signature verifies with the CA key (checked by .NET's chain engine with the CA as custom root).
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(x), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }
    }
}

public sealed class InspectionStorePruneTests
{
    [Fact]
    public void Prune_DropsEntriesPastRenewalFirst_ThenTheOldest()
    {
        using var tmp = new TempDir();
        var store = new InspectionStore(ZscalerPki.Core.Storage.Vault.Open(tmp.Vault), "enrollment", "Ca", new byte[] { 1, 2, 3 });
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 10; i++)
        {
            store.WriteForgery(new PersistedForgery
            {
                CacheKey = "k" + i,
                IssuerId = "x",
                CertificateDer = "AA==",
                RenewAfter = i < 4 ? now.AddDays(-1) : now.AddDays(10),
            });
        }
        store.Prune(now, max: 5);
        Assert.Equal(5, store.CountForgeries());
        Assert.Null(store.ReadForgery("k0"));
        Assert.NotNull(store.ReadForgery("k9"));
        var sealedText = store.Seal(new byte[] { 9, 9 }, "ctx");
        Assert.Equal(new byte[] { 9, 9 }, store.Unseal(sealedText, "ctx"));
        Assert.Equal(PkiErrorIds.InspectionCacheCorrupt, Assert.Throws<PkiException>(() => store.Unseal(sealedText, "other context")).ErrorId);
    }
}
