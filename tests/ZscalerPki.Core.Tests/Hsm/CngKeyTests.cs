using System.Security.Cryptography;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>Runs only on Windows, where CNG key storage providers exist.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
            Skip = "CNG key storage providers exist only on Windows; the vault flow over them is covered here through the ICngKeyStore seam";
    }
}

/// <summary>
/// A key storage provider in memory, standing in for CNG off Windows: keys by (provider, name), a PIN per key, and the
/// HRESULTs CNG, smart cards and TPMs return, so the vault flow and error mapping run everywhere.
/// </summary>
internal sealed class FakeCngKeyStore : ICngKeyStore
{
    public const string Provider = "Contoso HSM Key Storage Provider";
    private readonly Dictionary<string, (byte[] Pkcs8, string Pin, bool Rsa)> _keys = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _keys.Keys;

    public AsymmetricAlgorithm Create(string provider, string keyName, KeyAlgorithm algorithm, ReadOnlySpan<char> pin)
    {
        Require(provider, keyName);
        if (_keys.ContainsKey(keyName))
            throw CngKeys.Classify(unchecked((int)0x8009000F), provider, keyName, "exists");
        using var key = Keys.Generate(algorithm);
        _keys[keyName] = (key.ExportPkcs8PrivateKey(), new string(pin), key is RSA);
        return Open(new CngKeyReference { Provider = provider, KeyName = keyName }, pin);
    }

    public AsymmetricAlgorithm Open(CngKeyReference key, ReadOnlySpan<char> pin)
    {
        Require(key.Provider, key.KeyName);
        if (!_keys.TryGetValue(key.KeyName, out var stored))
            throw CngKeys.Classify(unchecked((int)0x80090016), key.Provider, key.KeyName, "Keyset does not exist");
        if (stored.Pin.Length > 0 && !pin.SequenceEqual(stored.Pin))
            throw CngKeys.Classify(unchecked((int)0x8010006B), key.Provider, key.KeyName, "The card cannot be accessed because the wrong PIN was presented.");
        AsymmetricAlgorithm opened = stored.Rsa ? RSA.Create() : ECDsa.Create();
        opened.ImportPkcs8PrivateKey(stored.Pkcs8, out _);
        return opened;
    }

    public void Delete(string keyName) => _keys.Remove(keyName);

    /// <summary>When set, deleting a key fails as a provider that refuses would.</summary>
    public bool RefuseDeletes { get; set; }

    public void Delete(CngKeyReference key)
    {
        if (RefuseDeletes)
            throw CngKeys.Classify(unchecked((int)0x80090010), key.Provider, key.KeyName, "Access denied."); // NTE_PERM
        _keys.Remove(key.KeyName);
    }

    private static void Require(string provider, string keyName)
    {
        if (provider != Provider)
            throw CngKeys.Classify(unchecked((int)0x8009001E), provider, keyName, "Provider DLL could not be found");
    }
}

/// <summary>
/// Keys in a Windows key storage provider: the vault keeps provider and key name, signs through CNG, never exports. Each
/// test has its own fake store, passed to the services through their constructors, so the tests run in parallel.
/// </summary>
public sealed class CngKeyTests
{
    private static readonly ReadOnlyMemory<char> Pin = "4711-ksp".AsMemory();

    private static HsmKeyOptions Ksp(string? existing = null, string provider = FakeCngKeyStore.Provider) =>
        new() { KeyStorageProvider = provider, ExistingKey = existing, Pin = Pin };

    private static T WithFakeStore<T>(Func<FakeCngKeyStore, HsmKeyFactory, T> test)
    {
        var fake = new FakeCngKeyStore();
        return test(fake, new HsmKeyFactory(fake, Pkcs11Modules.Process));
    }

    [Fact]
    public void KspKeys_BackEnrollmentCasAndInspectionIntermediates_ThroughTheSeam() => WithFakeStore((fake, hsm) =>
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var enrollment = new EnrollmentService(vault, hsm);
        var root = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Tpm-Root", KeyAlgorithm = KeyAlgorithm.EcdsaP384, PathLength = 1, Protection = KeyProtectionType.Hsm, Hsm = Ksp(),
        }).Item;
        Assert.Equal(KeyProtectionType.Hsm, root.ProtectionType);
        Assert.Equal($"ZscalerPki-Tpm-Root (key storage provider '{FakeCngKeyStore.Provider}')", root.KeyReference);
        Assert.Contains("ZscalerPki-Tpm-Root", fake.Names);
        Assert.DoesNotContain(Directory.GetFiles(tmp.Vault, "*", SearchOption.AllDirectories), f => f.EndsWith("key.p8", StringComparison.Ordinal));
        var entryJson = File.ReadAllText(Directory.GetFiles(tmp.Vault, "entry.json", SearchOption.AllDirectories).Single());
        Assert.Contains("\"KspKey\"", entryJson);
        Assert.DoesNotContain("4711-ksp", entryJson);

        // An SSL-inspection intermediate whose RSA key is in the provider: CSR, signed by the KSP root, imported.
        new PkiVaultService(vault).SetSubscription(Subscription.SoftwareAndHsm);
        var intermediates = new IntermediateService(vault, hsm);
        var created = intermediates.CreateCsr(new NewIntermediateCsrRequest
        {
            Name = "Tpm-Inspection", CommonName = "Contoso TPM Inspection CA", Protection = KeyProtectionType.Hsm, Hsm = Ksp(),
        }).Item;
        Assert.Equal(KeyProtectionType.Hsm, created.ProtectionType);
        var csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(created.Csr));
        var issued = new CsrSigningService(vault, hsm).SignWithVaultCa(new SignWithVaultCaRequest { Csr = csr, Issuer = "Tpm-Root", IssuerKeyPassword = Pin }).Item;
        var ready = intermediates.Import(new ImportSignedIntermediateRequest { Name = "Tpm-Inspection", Certificates = new[] { issued.Certificate }, Chain = issued.Chain }).Item;
        Assert.Equal(IntermediateState.CertReady, ready.State);
        File.WriteAllText(tmp.File("root.pem"), root.Certificate.ExportCertificatePem());
        File.WriteAllText(tmp.File("ca.pem"), ready.Certificate!.ExportCertificatePem());
        Assert.Contains("ca.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "ca.pem"));

        // Never exported; a wrong PIN, an unknown provider, a deleted key: one clear error each.
        Assert.Equal(PkiErrorIds.HsmKeyNotExportable, Assert.Throws<PkiException>(() => enrollment.Export(new ExportEnrollmentRequest
        {
            Name = "Tpm-Root", Format = ExportFormat.Pfx, IncludePrivateKey = true, KeyPassword = Pin, Password = "pfx-pw".AsMemory(),
        })).ErrorId);
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Assert.Throws<PkiException>(() =>
            new CsrSigningService(vault, hsm).SignWithVaultCa(new SignWithVaultCaRequest { Csr = csr, Issuer = "Tpm-Root", IssuerKeyPassword = "0000".AsMemory() })).ErrorId);
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Assert.Throws<PkiException>(() => enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Nowhere", Protection = KeyProtectionType.Hsm, Hsm = Ksp(provider: "No Such Provider"),
        })).ErrorId);
        Assert.Equal(PkiErrorIds.NameAlreadyExists, Assert.Throws<PkiException>(() => enrollment.Create(new NewEnrollmentRequest
        {
            Name = "tpm-root", Protection = KeyProtectionType.Hsm, Hsm = Ksp(),
        })).ErrorId);
        fake.Delete("ZscalerPki-Tpm-Root");
        Assert.Equal(PkiErrorIds.HsmKeyNotFound, Assert.Throws<PkiException>(() =>
            new CsrSigningService(vault, hsm).SignWithVaultCa(new SignWithVaultCaRequest { Csr = csr, Issuer = "Tpm-Root", IssuerKeyPassword = Pin })).ErrorId);

        // A key the provider's own tools made, by name.
        fake.Create(FakeCngKeyStore.Provider, "Vendor-Made-Key", KeyAlgorithm.Rsa4096, Pin.Span).Dispose();
        var existing = enrollment.Create(new NewEnrollmentRequest { Name = "Vendor-Root", Protection = KeyProtectionType.Hsm, Hsm = Ksp("Vendor-Made-Key") }).Item;
        Assert.Equal(KeyAlgorithm.Rsa4096, existing.KeyAlgorithm);
        Assert.Contains("Vendor-Made-Key", existing.KeyReference);
        return 0;
    });

    [Fact]
    public void HsmAndSoftwareIntermediates_CountTogether_EightCreatedFourEnabled() => WithFakeStore((fake, hsm) =>
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new PkiVaultService(vault).SetSubscription(Subscription.SoftwareAndHsm);
        var intermediates = new IntermediateService(vault, hsm);
        NewIntermediateCsrRequest Hsm(string name, IntermediateStatus status) => new()
        {
            Name = name, CommonName = name, Status = status, Protection = KeyProtectionType.Hsm, Hsm = Ksp(),
        };
        NewIntermediateCsrRequest Software(string name, IntermediateStatus status) => new()
        {
            Name = name, CommonName = name, Status = status, KeyPassword = "soft-pw".AsMemory(),
        };
        foreach (var name in new[] { "Hsm-1", "Hsm-2", "Hsm-3" })
            intermediates.CreateCsr(Hsm(name, IntermediateStatus.Enabled));
        intermediates.CreateCsr(Software("Soft-1", IntermediateStatus.Enabled));
        Assert.Equal(PkiErrorIds.EnabledLimitExceeded, Assert.Throws<PkiException>(() => intermediates.CreateCsr(Hsm("Hsm-4", IntermediateStatus.Enabled))).ErrorId);
        Assert.DoesNotContain("ZscalerPki-Hsm-4", fake.Names); // refused before the key was made
        foreach (var name in new[] { "Hsm-4", "Hsm-5", "Hsm-6", "Hsm-7" })
            intermediates.CreateCsr(Hsm(name, IntermediateStatus.Disabled));
        Assert.Equal(8, intermediates.Get().Count);
        Assert.Equal(PkiErrorIds.IntermediateLimitExceeded, Assert.Throws<PkiException>(() => intermediates.CreateCsr(Software("Soft-2", IntermediateStatus.Disabled))).ErrorId);
        Assert.Equal(PkiErrorIds.IntermediateLimitExceeded, Assert.Throws<PkiException>(() => intermediates.CreateCsr(Hsm("Hsm-8", IntermediateStatus.Disabled))).ErrorId);
        Assert.Equal(7, intermediates.Get().Count(i => i.ProtectionType == KeyProtectionType.Hsm));
        return 0;
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFailedCreation_DeletesTheKeyItMadeInTheProvider_OrNamesIt(bool refuseDeletes) => WithFakeStore((fake, hsm) =>
    {
        fake.RefuseDeletes = refuseDeletes;
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var enrollment = new EnrollmentService(vault, hsm);
        enrollment.Create(new NewEnrollmentRequest { Name = "Soft-Parent", KeyPassword = "parent-pw".AsMemory(), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        // The parent's issued-certificate database is broken: the child's key is made, then recording its certificate fails.
        var folder = Path.GetDirectoryName(Directory.GetFiles(tmp.Vault, "entry.json", SearchOption.AllDirectories).Single())!;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.WriteAllText(Path.Combine(folder, "issued.db"), new string('x', 8192));
        var failure = Assert.ThrowsAny<Exception>(() => enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Ksp-Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Soft-Parent"), ParentKeyPassword = "parent-pw".AsMemory(),
            Protection = KeyProtectionType.Hsm, Hsm = Ksp(),
        }));
        if (!refuseDeletes)
        {
            Assert.Empty(fake.Names);
            return 0;
        }
        // The orphan stays, and the error names it (keeping the creation's own failure as its cause).
        Assert.Contains("ZscalerPki-Ksp-Child", fake.Names);
        var named = Assert.IsType<PkiException>(failure);
        Assert.Equal(PkiErrorIds.IssuedStoreCorrupt, named.ErrorId); // the creation's own failure, as without the orphan
        Assert.Contains("could not be destroyed", named.Message);
        Assert.Contains("ZscalerPki-Ksp-Child", named.Message);
        Assert.NotNull(named.InnerException);
        return 0;
    });

    [Fact]
    public void CngFailures_MapToOneCataloguedErrorEach()
    {
        static string Id(uint hresult) => CngKeys.Classify(unchecked((int)hresult), "P", "K", "m").ErrorId;
        Assert.Equal(PkiErrorIds.HsmKeyNotFound, Id(0x80090016));      // NTE_BAD_KEYSET
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Id(0x8009001E));   // NTE_PROV_DLL_NOT_FOUND
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(0x8010006B));     // SCARD_W_WRONG_CHV
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(0x80280001));     // TPM_E_AUTHFAIL
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(0x8010006C));     // SCARD_W_CHV_BLOCKED
        Assert.Equal(PkiErrorIds.NameAlreadyExists, Id(0x8009000F));   // NTE_EXISTS
        Assert.Equal(PkiErrorIds.HsmKeyGenerationFailed, Id(0x80004005));
        Assert.Contains("0x80004005", CngKeys.Classify(unchecked((int)0x80004005), "P", "K", "Unspecified error").Message);
    }

    [Fact]
    public void OffWindows_AKeyStorageProviderIsOneClearError()
    {
        if (OperatingSystem.IsWindows())
            return; // the real providers are tested below
        using var tmp = new TempDir();
        var ex = Assert.Throws<PkiException>(() => new EnrollmentService(Vault.Open(tmp.Vault)).Create(new NewEnrollmentRequest
        {
            Name = "Tpm-Root", Protection = KeyProtectionType.Hsm, Hsm = Ksp(provider: "Microsoft Platform Crypto Provider"),
        }));
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, ex.ErrorId);
        Assert.Contains("Windows", ex.Message);
    }

    [WindowsFact]
    public void MicrosoftSoftwareKsp_KeyIsMadeThere_SignsTheRoot_AndCannotBeExported()
    {
        using var tmp = new TempDir();
        var name = "Ksp-Test-" + Guid.NewGuid().ToString("N")[..8];
        var options = new HsmKeyOptions { KeyStorageProvider = "Microsoft Software Key Storage Provider" };
        try
        {
            var root = new EnrollmentService(Vault.Open(tmp.Vault)).Create(new NewEnrollmentRequest
            {
                Name = name, Protection = KeyProtectionType.Hsm, Hsm = options, KeyAlgorithm = KeyAlgorithm.Rsa2048,
            }).Item;
            File.WriteAllText(tmp.File("root.pem"), root.Certificate.ExportCertificatePem());
            Assert.Contains("root.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "root.pem"));
            using var key = CngKeys.ForThisSystem().Open(new CngKeyReference { Provider = options.KeyStorageProvider!, KeyName = HsmKeyFactory.CngKeyNamePrefix + name }, default);
            Assert.ThrowsAny<CryptographicException>(() => ((RSA)key).ExportParameters(true));
        }
        finally
        {
            if (OperatingSystem.IsWindows() && CngKey.Exists(HsmKeyFactory.CngKeyNamePrefix + name, new CngProvider(options.KeyStorageProvider!)))
                CngKey.Open(HsmKeyFactory.CngKeyNamePrefix + name, new CngProvider(options.KeyStorageProvider!)).Delete();
        }
    }
}
