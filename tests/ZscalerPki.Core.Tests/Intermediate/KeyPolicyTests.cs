using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Intermediate;

/// <summary>
/// A vault CA certifies only keys the CA/Browser Forum and NIST SP 800-57 accept, and only requests signed with SHA-256
/// or stronger; the CSRs come from OpenSSL, as an admin's would.
/// </summary>
public sealed class KeyPolicyTests : IClassFixture<KeyPolicyTests.Issuer>
{
    public sealed class Issuer : IDisposable
    {
        public Issuer()
        {
            Vault = Vault.Open(Tmp.Vault);
            new EnrollmentService(Vault).Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Pw.Of("pw"), KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 2 });
        }

        public TempDir Tmp { get; } = new();

        public Vault Vault { get; }

        public void Dispose() => Tmp.Dispose();
    }

    private readonly Issuer _issuer;

    public KeyPolicyTests(Issuer issuer) => _issuer = issuer;

    public static TheoryData<string, string[], string?> Requests => new()
    {
        { "rsa-2048", new[] { "-newkey", "rsa:2048" }, null },
        { "ec-p384", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384" }, null },
        { "rsa-1024", new[] { "-newkey", "rsa:1024" }, PkiErrorIds.WeakPublicKey },
        { "rsa-e3", new[] { "-newkey", "rsa:2048", "-pkeyopt", "rsa_keygen_pubexp:3" }, PkiErrorIds.WeakPublicKey },
        { "secp256k1", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1" }, PkiErrorIds.UnsupportedPublicKey },
        { "brainpool", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1" }, PkiErrorIds.UnsupportedPublicKey },
        { "explicit-params", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit" }, PkiErrorIds.UnsupportedPublicKey },
        { "sha1-signed", new[] { "-newkey", "rsa:2048", "-sha1" }, PkiErrorIds.WeakSignatureAlgorithm },
        { "pss-signed", new[] { "-newkey", "rsa:2048", "-sigopt", "rsa_padding_mode:pss" }, PkiErrorIds.UnsupportedSignatureAlgorithm },
        { "pss-key", new[] { "-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048" }, PkiErrorIds.UnsupportedSignatureAlgorithm },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void OnlyAcceptableKeysAndSignatures_AreCertified(string name, string[] keyArgs, string? errorId)
    {
        var tmp = _issuer.Tmp;
        var csrPath = tmp.File(name + ".csr");
        OpenSsl.Ok(tmp.Path, new[] { "req", "-new", "-nodes", "-keyout", tmp.File(name + ".key"), "-out", csrPath, "-subj", $"/CN=Policy {name}" }
            .Concat(keyArgs).ToArray());
        var service = new CsrSigningService(_issuer.Vault);
        PkiResult<IssuedCertificate> Sign() => service.SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.ReadFile(csrPath), Issuer = "Root", IssuerKeyPassword = Pw.Of("pw"),
        });
        if (errorId is null)
        {
            Assert.Equal($"CN=Policy {name}", Sign().Item.Subject);
            return;
        }
        var error = Assert.Throws<PkiException>(() => Sign());
        Assert.Equal(errorId, error.ErrorId);
        Assert.True(error.Message.Length > 60, error.Message);
    }
}
