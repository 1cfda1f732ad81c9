using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>
/// Signatures .NET cannot verify and BouncyCastle does (Ed25519, Ed448, RSASSA-PSS with any parameters), on chains
/// made by the OpenSSL CLI: valid chains validate, a flipped signature byte is <c>SignatureInvalid</c>, forbidden
/// parameters are <c>SignatureAlgorithmParametersInvalid</c>, and an Ed25519 CA's CRL is checked.
/// </summary>
public class BouncyCastleSignatureTests
{
    private static readonly string[] NoOptions = Array.Empty<string>();

    private static string[] Pss(string hash, int salt, string? mgf1 = null) =>
        new[] { "-" + hash, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:" + salt }
            .Concat(mgf1 is null ? NoOptions : new[] { "-sigopt", "rsa_mgf1_md:" + mgf1 }).ToArray();

    private static void AssertValid(ChainValidationResult r) => Assert.True(r.IsValid, r.ToTreeString());

    private static void AssertTamperedLeafIsInvalid(OpenSslChain chain)
    {
        var r = chain.Validate(OpenSslChain.TamperSignature(chain.Leaf));
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, p => p.Code == ChainProblemCodes.SignatureInvalid);
        Assert.DoesNotContain(r.Problems, p => p.Code == ChainProblemCodes.SignatureAlgorithmUnsupported);
    }

    [Fact]
    public void Ed25519_Chain_ValidatesAndTamperedSignatureIsInvalid()
    {
        using var chain = OpenSslChain.Build(OpenSslChain.Ed25519, NoOptions);
        Assert.Equal("1.3.101.112", chain.Leaf.SignatureAlgorithm.Value);
        AssertValid(chain.Validate());
        AssertTamperedLeafIsInvalid(chain);
    }

    [Fact]
    public void Ed448_Chain_ValidatesAndTamperedSignatureIsInvalid()
    {
        using var chain = OpenSslChain.Build(OpenSslChain.Ed448, NoOptions);
        Assert.Equal("1.3.101.113", chain.Leaf.SignatureAlgorithm.Value);
        AssertValid(chain.Validate());
        AssertTamperedLeafIsInvalid(chain);
    }

    [Fact]
    public void Ed448Cas_WithEd25519Leaf_Validate()
    {
        // An Ed25519 leaf key under Ed448 CAs: the CA signs with Ed448, the leaf's own (Ed25519) key is never used.
        using var chain = OpenSslChain.Build(OpenSslChain.Ed448, NoOptions, leafKey: OpenSslChain.Ed25519);
        AssertValid(chain.Validate());
    }

    [Theory]
    [InlineData("sha256", 0, null)]      // salt 0: .NET cannot (its PSS salt is the hash length)
    [InlineData("sha256", 64, null)]     // salt longer than the hash
    [InlineData("sha512", 32, null)]     // SHA-512 with a 32-octet salt
    [InlineData("sha256", 32, "sha1")]   // MGF1 with another hash than the message's
    [InlineData("sha384", 48, null)]     // salt = hash length: still .NET's path
    public void RsaPss_AnyParameters_ValidateAndTamperedSignatureIsInvalid(string hash, int salt, string? mgf1)
    {
        using var chain = OpenSslChain.Build(OpenSslChain.Rsa, Pss(hash, salt, mgf1));
        Assert.Equal("1.2.840.113549.1.1.10", chain.Leaf.SignatureAlgorithm.Value);
        AssertValid(chain.Validate());
        AssertTamperedLeafIsInvalid(chain);
    }

    [Fact]
    public void RsaPss_WebPki_AllowsOnlyTheBaselineRequirementsParameters()
    {
        // BR 7.1.3.2: salt = hash length with MGF1 of the same hash is allowed; salt 0 verifies but is refused by the profile.
        using var standard = OpenSslChain.Build(OpenSslChain.Rsa, Pss("sha256", 32));
        using var saltZero = OpenSslChain.Build(OpenSslChain.Rsa, Pss("sha256", 0));
        ChainValidationResult WebPki(OpenSslChain c) => ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = c.Leaf, TrustedRoots = new[] { c.Root }, Intermediates = new[] { c.Intermediate },
            DnsName = OpenSslChain.LeafName, Purpose = ChainPurpose.ServerAuth, Profile = ValidationProfile.WebPki,
        });
        Assert.DoesNotContain(WebPki(standard).Problems, p => p.Code == ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm);
        var r = WebPki(saltZero);
        Assert.Contains(r.Problems, p => p.Code == ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm && p.Message.Contains("7.1.3.2"));
        Assert.DoesNotContain(r.Problems, p => p.Code is ChainProblemCodes.SignatureInvalid or ChainProblemCodes.SignatureAlgorithmUnsupported);
    }

    [Fact]
    public void RsaPss_DefaultParameters_Sha1_AreReadFromAnEmptySequence()
    {
        // RFC 4055 3.1 defaults (SHA-1, MGF1-SHA1, salt 20, trailer 1): OpenSSL omits every field, leaving SEQUENCE {}.
        using var chain = OpenSslChain.Build(OpenSslChain.Rsa, Pss("sha1", 20, "sha1"));
        Assert.Contains("06092A864886F70D01010A3000", Convert.ToHexString(chain.Leaf.RawData));
        AssertValid(chain.Validate());
        AssertTamperedLeafIsInvalid(chain);
    }

    [Fact]
    public void RsaPssKey_WithParameters_SignaturesWithinItsRestrictionValidate()
    {
        // id-RSASSA-PSS keys restricted to SHA-256, MGF1-SHA256, salt ≥ 32 (RFC 4055 3.3), signing with salt 64.
        string[] pssKey =
        {
            "-algorithm", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_pss_keygen_md:sha256",
            "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256", "-pkeyopt", "rsa_pss_keygen_saltlen:32",
        };
        using var chain = OpenSslChain.Build(pssKey, Pss("sha256", 64), leafKey: OpenSslChain.Rsa);
        Assert.Equal("1.2.840.113549.1.1.10", chain.Intermediate.PublicKey.Oid.Value);
        AssertValid(chain.Validate());
        AssertTamperedLeafIsInvalid(chain);
    }

    [Fact]
    public void Ed25519_WithParametersPresent_IsRejected()
    {
        // RFC 8410 3: the parameters MUST be absent. The leaf is re-signed by the real intermediate key over a TBS whose
        // AlgorithmIdentifier carries NULL, so the signature itself is good and only the parameters are wrong.
        using var chain = OpenSslChain.Build(OpenSslChain.Ed25519, NoOptions);
        var withNull = ResignWithNullParameters(chain, chain.Leaf);
        var r = chain.Validate(withNull);
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, p => p.Code == ChainProblemCodes.SignatureAlgorithmParametersInvalid);
        Assert.DoesNotContain(r.Problems, p => p.Code == ChainProblemCodes.SignatureInvalid);

        // The same through the byte-level seam: without the parameters it verifies, with them it is refused.
        // (.NET 8's PublicKey.ExportSubjectPublicKeyInfo cannot re-encode an Ed25519 key, so the SPKI is cut from the DER.)
        var issuerSpki = Spki(chain.Intermediate.RawData);
        var (tbs, alg, sig) = Split(chain.Leaf.RawData);
        Assert.Equal(SignatureCheck.Valid, SignatureVerifier.Verify(tbs, alg, sig, issuerSpki, out _));
        var (tbs2, alg2, sig2) = Split(withNull.RawData);
        Assert.Equal(SignatureCheck.InvalidParameters, SignatureVerifier.Verify(tbs2, alg2, sig2, issuerSpki, out var reason));
        Assert.Contains("RFC 8410", reason);
    }

    [Fact]
    public void Ed25519_CaCrls_AreVerified()
    {
        using var chain = OpenSslChain.Build(OpenSslChain.Ed25519, NoOptions);
        var rootCrl = chain.RootCrl();
        AssertValid(chain.Validate(crls: new[] { rootCrl, chain.IntermediateCrl(revokeLeaf: false) }));

        var revoked = chain.Validate(crls: new[] { rootCrl, chain.IntermediateCrl(revokeLeaf: true) });
        Assert.False(revoked.IsValid);
        Assert.Contains(revoked.Problems, p => p.Code == ChainProblemCodes.Revoked);

        // A CRL whose Ed25519 signature is broken is not used: the leaf's status is unknown, not "good".
        var tampered = chain.IntermediateCrl(revokeLeaf: false);
        tampered[^10] ^= 0x01;
        var unknown = chain.Validate(crls: new[] { rootCrl, tampered });
        Assert.False(unknown.IsValid);
        Assert.DoesNotContain(unknown.Problems, p => p.Code == ChainProblemCodes.Revoked);
    }

    [Theory]
    [InlineData(null, "Malformed")]                                     // absent beside a signature (RFC 4055 3.1)
    [InlineData("0500", "Malformed")]                                   // NULL instead of the SEQUENCE
    [InlineData("3000", "None")]                                        // all defaults
    [InlineData("3005a203020114", "None")]                              // explicit default salt 20
    [InlineData("3005a303020102", "Malformed")]                         // trailerField 2
    [InlineData("3005a2030201ff", "Malformed")]                         // negative salt
    [InlineData("300fa00d300b0609608648016503040204", "Unsupported")]   // SHA-224
    [InlineData("30033000", "Malformed")]                               // untagged field
    public void PssParameters_Parse_ClassifiesEncodings(string? hex, string expected)
    {
        ReadOnlyMemory<byte>? p = hex is null ? null : Convert.FromHexString(hex);
        var parsed = PssParameters.Parse(p, forSignature: true, out var failure, out var reason);
        Assert.True(expected == failure.ToString(), $"{hex}: {failure} ({reason})");
        Assert.Equal(expected == "None", parsed is not null);
        if (hex == "3000") Assert.Equal(PssParameters.Defaults, parsed);
    }

    [Fact]
    public void EdKeys_InKeyComparisons_DoNotThrow()
    {
        // Import-SignedIntermediate and certreq matching compare a bundle's keys with the CSR's (Keys.SameKey).
        using var chain = OpenSslChain.Build(OpenSslChain.Ed25519, NoOptions);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        Assert.True(Certificates.Keys.SameKey(chain.Leaf.PublicKey, X509Certificate2.CreateFromPem(chain.Pem("leaf")).PublicKey));
        Assert.False(Certificates.Keys.SameKey(chain.Leaf.PublicKey, chain.Intermediate.PublicKey));
        Assert.False(Certificates.Keys.SameKey(chain.Leaf.PublicKey, new PublicKey(rsa)));
    }

    /// <summary>The SubjectPublicKeyInfo DER of a certificate (the seventh field of its TBS).</summary>
    private static byte[] Spki(byte[] certificate)
    {
        var tbs = new AsnReader(Split(certificate).Tbs, AsnEncodingRules.DER).ReadSequence();
        for (int i = 0; i < 6; i++) tbs.ReadEncodedValue(); // version, serial, signature, issuer, validity, subject
        return tbs.ReadEncodedValue().ToArray();
    }

    private static (byte[] Tbs, byte[] Alg, byte[] Sig) Split(byte[] certificate)
    {
        var s = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence();
        var tbs = s.ReadEncodedValue().ToArray();
        var alg = s.ReadEncodedValue().ToArray();
        var sig = s.ReadBitString(out _);
        return (tbs, alg, sig);
    }

    /// <summary>The certificate with NULL parameters in both of its Ed25519 AlgorithmIdentifiers, re-signed with the intermediate's key.</summary>
    private static X509Certificate2 ResignWithNullParameters(OpenSslChain chain, X509Certificate2 certificate)
    {
        var algWithNull = new AsnWriter(AsnEncodingRules.DER);
        using (algWithNull.PushSequence())
        {
            algWithNull.WriteObjectIdentifier("1.3.101.112");
            algWithNull.WriteNull();
        }
        var (tbs, _, _) = Split(certificate.RawData);
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var tbsWriter = new AsnWriter(AsnEncodingRules.DER);
        using (tbsWriter.PushSequence())
        {
            tbsWriter.WriteEncodedValue(fields.ReadEncodedValue().Span); // [0] version
            tbsWriter.WriteEncodedValue(fields.ReadEncodedValue().Span); // serialNumber
            fields.ReadEncodedValue();                                   // signature: replaced
            tbsWriter.WriteEncodedValue(algWithNull.Encode());
            while (fields.HasData) tbsWriter.WriteEncodedValue(fields.ReadEncodedValue().Span);
        }
        var newTbs = tbsWriter.Encode();
        File.WriteAllBytes(Path.Combine(chain.Dir, "tbs.der"), newTbs);
        OpenSsl.Ok(chain.Dir, "pkeyutl", "-sign", "-rawin", "-inkey", "int.key", "-in", "tbs.der", "-out", "tbs.sig");
        var cert = new AsnWriter(AsnEncodingRules.DER);
        using (cert.PushSequence())
        {
            cert.WriteEncodedValue(newTbs);
            cert.WriteEncodedValue(algWithNull.Encode());
            cert.WriteBitString(File.ReadAllBytes(Path.Combine(chain.Dir, "tbs.sig")));
        }
        return X509CertificateLoader.LoadCertificate(cert.Encode());
    }
}
