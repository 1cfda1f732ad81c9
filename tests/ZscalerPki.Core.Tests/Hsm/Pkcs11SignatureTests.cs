using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>
/// Signatures made in the token (RSA PKCS#1 v1.5, RSA-PSS, ECDSA) verify with .NET's public keys and with the OpenSSL CLI;
/// a creation that fails after its key was generated leaves the token's object list as it was.
/// </summary>
[Collection("SoftHSM")]
public sealed class Pkcs11SignatureTests(SoftHsm hsm)
{
    private static readonly string Token = SoftHsm.Tokens[3];

    [SoftHsmFact]
    public void RsaPkcs1AndPss_FromTheToken_VerifyWithDotNetAndOpenSsl()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        using var generated = Pkcs11Modules.Process.Generate(SoftHsm.Module, Token, "sig-rsa", Pkcs11KeySpec.Rsa(3072), SoftHsm.Pin);
        var key = Assert.IsAssignableFrom<RSA>(generated.Key);
        Assert.Equal(3072, key.KeySize);
        using var publicKey = RSA.Create(key.ExportParameters(false));
        File.WriteAllText(tmp.File("rsa.pub.pem"), publicKey.ExportSubjectPublicKeyInfoPem());
        var data = RandomNumberGenerator.GetBytes(1000);
        File.WriteAllBytes(tmp.File("data.bin"), data);
        foreach (var (hash, name) in new[] { (HashAlgorithmName.SHA256, "sha256"), (HashAlgorithmName.SHA384, "sha384"), (HashAlgorithmName.SHA512, "sha512") })
        {
            var pkcs1 = key.SignData(data, hash, RSASignaturePadding.Pkcs1);
            Assert.Equal(pkcs1, key.SignData(data, hash, RSASignaturePadding.Pkcs1)); // deterministic (the forge cache's RSA seal)
            Assert.True(publicKey.VerifyData(data, pkcs1, hash, RSASignaturePadding.Pkcs1));
            File.WriteAllBytes(tmp.File($"pkcs1-{name}.sig"), pkcs1);
            Assert.Contains("Verified OK", OpenSsl.Ok(tmp.Path, "dgst", "-" + name, "-verify", "rsa.pub.pem", "-signature", $"pkcs1-{name}.sig", "data.bin"));

            var pss = key.SignData(data, hash, RSASignaturePadding.Pss);
            Assert.True(publicKey.VerifyData(data, pss, hash, RSASignaturePadding.Pss));
            Assert.False(publicKey.VerifyData(data, pss, hash, RSASignaturePadding.Pkcs1));
            File.WriteAllBytes(tmp.File($"pss-{name}.sig"), pss);
            Assert.Contains("Verified OK", OpenSsl.Ok(tmp.Path, "dgst", "-" + name, "-verify", "rsa.pub.pem", "-sigopt", "rsa_padding_mode:pss",
                "-sigopt", "rsa_pss_saltlen:digest", "-signature", $"pss-{name}.sig", "data.bin"));
        }
    }

    [SoftHsmFact]
    public void Ecdsa_FromTheToken_IsP1363ForDotNet_AndVerifiesWithOpenSsl()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        var data = RandomNumberGenerator.GetBytes(1000);
        File.WriteAllBytes(tmp.File("data.bin"), data);
        foreach (var (spec, hash, name, size) in new[] { (Pkcs11KeySpec.EcP256, HashAlgorithmName.SHA256, "sha256", 32), (Pkcs11KeySpec.EcP384, HashAlgorithmName.SHA384, "sha384", 48), (Pkcs11KeySpec.EcP521, HashAlgorithmName.SHA512, "sha512", 66) })
        {
            using var generated = Pkcs11Modules.Process.Generate(SoftHsm.Module, Token, "sig-" + name, spec, SoftHsm.Pin);
            var key = Assert.IsAssignableFrom<ECDsa>(generated.Key);
            using var publicKey = ECDsa.Create(key.ExportParameters(false));
            Assert.Throws<CryptographicException>(() => key.ExportParameters(true));
            var p1363 = key.SignData(data, hash);
            Assert.Equal(2 * size, p1363.Length);
            Assert.True(publicKey.VerifyData(data, p1363, hash));
            var der = key.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
            Assert.True(publicKey.VerifyData(data, der, hash, DSASignatureFormat.Rfc3279DerSequence));
            File.WriteAllText(tmp.File($"{name}.pub.pem"), publicKey.ExportSubjectPublicKeyInfoPem());
            File.WriteAllBytes(tmp.File($"{name}.sig"), der);
            Assert.Contains("Verified OK", OpenSsl.Ok(tmp.Path, "dgst", "-" + name, "-verify", $"{name}.pub.pem", "-signature", $"{name}.sig", "data.bin"));
            // The forge cache's seal: ECDH of the key with itself, derived in the token, the same every time.
            var seal = HsmKeys.DeterministicSecret(key, "label");
            Assert.NotNull(seal);
            Assert.Equal(seal, HsmKeys.DeterministicSecret(key, "label"));
        }
    }

    [SoftHsmFact]
    public void OneKey_SignsFromManyThreads_EachSignatureValid()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var generated = Pkcs11Modules.Process.Generate(SoftHsm.Module, Token, "sig-threads", Pkcs11KeySpec.EcP256, SoftHsm.Pin);
        var key = (ECDsa)generated.Key;
        using var publicKey = ECDsa.Create(key.ExportParameters(false));
        var results = new bool[64];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var data = BitConverter.GetBytes(i);
            results[i] = publicKey.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
        });
        Assert.All(results, Assert.True);
    }

    [SoftHsmFact]
    public void AFailedCreation_AfterItsKeyWasGenerated_LeavesTheTokenAsItWas()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var enrollment = new EnrollmentService(vault);
        enrollment.Create(new NewEnrollmentRequest { Name = "Soft-Parent", KeyPassword = "parent-pw".AsMemory(), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        var before = SoftHsm.Objects(Token);
        // The parent's issued-certificate database is broken: the child's key is generated and its certificate signed,
        // then recording it fails, so the creation fails after the key exists in the token.
        var db = Directory.GetFiles(tmp.Vault, "issued.db", SearchOption.AllDirectories).SingleOrDefault()
            ?? Path.Combine(Path.GetDirectoryName(Directory.GetFiles(tmp.Vault, "entry.json", SearchOption.AllDirectories).Single())!, "issued.db");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.WriteAllText(db, new string('x', 8192));
        var failure = Assert.ThrowsAny<Exception>(() => enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Hsm-Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Soft-Parent"), ParentKeyPassword = "parent-pw".AsMemory(),
            Protection = KeyProtectionType.Hsm, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            Hsm = new HsmKeyOptions { Pkcs11Module = SoftHsm.Module, Token = Token, Pin = SoftHsm.Pin.AsMemory() },
        }));
        Assert.Contains("IssuedCertificateStore", failure.ToString()); // it failed after the key was made, where the certificate is recorded
        Assert.Equal(before, SoftHsm.Objects(Token));
        Assert.DoesNotContain(enrollment.Get(), e => e.Name == "Hsm-Child");
    }

    [SoftHsmFact]
    public void AnExistingKeyOfAnUnsupportedSize_IsRefused_AndStaysInTheToken()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        var p521 = SoftHsm.Generate(Token, "vendor-p521", Pkcs11KeySpec.EcP521);
        var options = new HsmKeyOptions { Pkcs11Module = SoftHsm.Module, ExistingKey = p521.Uri, Pin = SoftHsm.Pin.AsMemory() };
        Assert.Equal(PkiErrorIds.UnsupportedKey, Assert.Throws<PkiException>(() => HsmKeyFactory.Production.CreateOrOpen(options, "P521-Root", KeyAlgorithm.EcdsaP256)).ErrorId);
        Assert.Contains(SoftHsm.Objects(Token), o => o.StartsWith("CKO_PRIVATE_KEY vendor-p521", StringComparison.Ordinal));
    }
}
