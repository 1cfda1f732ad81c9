using System.Diagnostics;
using System.Formats.Asn1;
using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>
/// A vault key file that was swapped, damaged or crafted is reported as exactly that, quickly, and never used: it cannot
/// sign a certificate that does not verify, be exported under another entry's name, or make a command spin on its KDF.
/// </summary>
public sealed class KeyFileTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("key-file-tests");

    private static (TempDir Tmp, EnrollmentService Service, string KeyPath) Vault1(KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256)
    {
        var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var service = new EnrollmentService(vault);
        service.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password, KeyAlgorithm = algorithm });
        return (tmp, service, vault.KeyPath(Collections.Enrollment, "Root"));
    }

    private static string ChildError(EnrollmentService service) => Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
    {
        Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
    })).ErrorId;

    /// <summary>An EncryptedPrivateKeyInfo with PBES2/PBKDF2 parameters of our choosing and ciphertext that is never reached.</summary>
    private static string CraftedKeyFile(long iterations, int ciphertextLength = 144)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier("1.2.840.113549.1.5.13");
                using (w.PushSequence())
                {
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier("1.2.840.113549.1.5.12");
                        using (w.PushSequence())
                        {
                            w.WriteOctetString(RandomNumberGenerator.GetBytes(16));
                            w.WriteInteger(iterations);
                            using (w.PushSequence())
                            {
                                w.WriteObjectIdentifier("1.2.840.113549.2.9");
                                w.WriteNull();
                            }
                        }
                    }
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier("2.16.840.1.101.3.4.1.42");
                        w.WriteOctetString(RandomNumberGenerator.GetBytes(16));
                    }
                }
            }
            w.WriteOctetString(RandomNumberGenerator.GetBytes(ciphertextLength));
        }
        return PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", w.Encode());
    }

    [Fact]
    public void AnotherKeyUnderTheSamePassword_IsRefused_ForSigningAndForExport()
    {
        var (tmp, service, keyPath) = Vault1();
        using var _ = tmp;
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(keyPath, KeyProtection.Encrypt(other, Password.Span));
        Assert.Equal(PkiErrorIds.KeyMismatch, ChildError(service));
        var export = Assert.Throws<PkiException>(() => service.Export(new ExportEnrollmentRequest
        {
            Name = "Root", Format = ExportFormat.Pem, IncludePrivateKey = true, KeyPassword = Password, Password = Password,
        }));
        Assert.Equal(PkiErrorIds.KeyMismatch, export.ErrorId);
        Assert.Contains("Root", export.Message);
    }

    [Theory]
    [InlineData("unencrypted")]
    [InlineData("other-algorithm")]
    [InlineData("truncated")]
    [InlineData("not-pem")]
    [InlineData("zero-iterations")]
    [InlineData("ciphertext-not-whole-blocks")]
    [InlineData("empty-ciphertext")]
    [InlineData("trailing-bytes")]
    public void DamagedKeyFiles_AreKeyFileCorrupt_NotAWrongPassword(string damage)
    {
        var (tmp, service, keyPath) = Vault1(KeyAlgorithm.Rsa2048);
        using var _ = tmp;
        var original = File.ReadAllText(keyPath);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var text = damage switch
        {
            "unencrypted" => ec.ExportPkcs8PrivateKeyPem(),
            "other-algorithm" => KeyProtection.Encrypt(ec, Password.Span),
            "truncated" => original[..(original.Length / 2)] + "\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "not-pem" => "garbage",
            "zero-iterations" => CraftedKeyFile(0),
            "ciphertext-not-whole-blocks" => CraftedKeyFile(KeyProtection.Iterations, 145),
            "empty-ciphertext" => CraftedKeyFile(KeyProtection.Iterations, 0),
            "trailing-bytes" => PemEncoding.WriteString("ENCRYPTED PRIVATE KEY",
                Convert.FromBase64String(string.Concat(original.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))).Concat(new byte[] { 0x05, 0x00 }).ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        File.WriteAllText(keyPath, text);
        Assert.Equal(PkiErrorIds.KeyFileCorrupt, ChildError(service));
    }

    [Fact]
    public void AKdfThatWouldRunForHours_IsRefusedAtOnce()
    {
        var (tmp, service, keyPath) = Vault1();
        using var _ = tmp;
        File.WriteAllText(keyPath, CraftedKeyFile(int.MaxValue - 1));
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }));
        Assert.Equal(PkiErrorIds.KeyFileCorrupt, error.ErrorId);
        Assert.Contains("10,000,000", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9_999)]
    public void AKeyFileUnderTooFewKdfIterations_IsWeakKeyProtection_WithWhatToDo(int iterations)
    {
        var (tmp, service, keyPath) = Vault1();
        using var _ = tmp;
        File.WriteAllText(keyPath, CraftedKeyFile(iterations));
        var error = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }));
        Assert.Equal(PkiErrorIds.WeakKeyProtection, error.ErrorId);
        Assert.Contains("'Root'", error.Message);
        Assert.Contains("10,000", error.Message);
        Assert.Contains("Re-encrypt", error.Message);
    }

    [Fact]
    public void AKeyFileThatIsAFolder_IsPathIsDirectory_NamingThePath()
    {
        var (tmp, service, keyPath) = Vault1();
        using var _ = tmp;
        File.Delete(keyPath);
        Directory.CreateDirectory(keyPath);
        var error = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }));
        Assert.Equal(PkiErrorIds.PathIsDirectory, error.ErrorId);
        Assert.Contains(keyPath, error.Message);
    }

    [Fact]
    public void APasswordWithANul_IsRefused_BeforeAnyKeyWork()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        var error = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Pw.Of("secret\0"), KeyAlgorithm = KeyAlgorithm.EcdsaP256 }));
        Assert.Equal(PkiErrorIds.InvalidPassword, error.ErrorId);
        Assert.Empty(service.Get(null, null, null));
    }

    [Fact]
    public void TheRightKey_StillOpens_AndOpenSslReadsTheFile()
    {
        var (tmp, service, keyPath) = Vault1();
        using var _ = tmp;
        var child = service.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        });
        Assert.Equal("Root", child.Item.Parent);
        var text = OpenSsl.Ok(tmp.Path, "pkey", "-in", keyPath, "-passin", "pass:key-file-tests", "-noout", "-text");
        Assert.Contains("Private-Key", text);
    }
}
