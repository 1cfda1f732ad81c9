using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>RFC 5280 section 5 rules that make a CRL unusable; each has its own problem code (RULES.md "Reading CRLs strictly").</summary>
public sealed class StrictCrlTests : IDisposable
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("pw");
    private readonly TempDir _tmp = new();
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _child;
    private readonly AsymmetricAlgorithm _rootKey;

    public StrictCrlTests()
    {
        var vault = Vault.Open(_tmp.Vault);
        var enrollment = new EnrollmentService(vault);
        _root = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Root", Subject = "CN=Strict Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            CrlDistributionPoints = new[] { "http://127.0.0.1:1/Root.crl" },
        }).Item.Certificate;
        _child = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item.Certificate;
        _rootKey = new ZscalerPki.Core.Authority.CaDirectory(vault).Resolve("Root").OpenKey(Password.Span);
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _tmp.Dispose();
    }

    /// <summary>Options of a hand-made CRL; the defaults give a valid v2 CRL listing nothing.</summary>
    private sealed record Crl
    {
        public int? Version { get; init; } = 1;
        public bool EmptyRevokedList { get; init; }
        public byte[][] Serials { get; init; } = Array.Empty<byte[]>();
        /// <summary>Entries as written (after <see cref="Serials"/>'s): duplicates, certificateIssuer extensions.</summary>
        public byte[][] RawEntries { get; init; } = Array.Empty<byte[]>();
        /// <summary>A delta CRL (number 2) on the base CRL number 1.</summary>
        public bool Delta { get; init; }
        public bool Extensions { get; init; } = true;
        public bool EmptyExtensions { get; init; }
        public byte[]? Idp { get; init; }
        public string? OuterAlgorithm { get; init; }
        public DateTimeOffset? NextUpdate { get; init; }
        public X509Certificate2? Issuer { get; init; }
        public AsymmetricAlgorithm? Key { get; init; }
    }

    private byte[] Forge(Crl o)
    {
        var issuer = o.Issuer ?? _root;
        var key = o.Key ?? _rootKey;
        var alg = Keys.SignatureGenerator(key).GetSignatureAlgorithmIdentifier(HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.PushSequence();
        if (o.Version is { } v)
            w.WriteInteger(v);
        w.WriteEncodedValue(alg);
        w.WriteEncodedValue(issuer.SubjectName.RawData);
        w.WriteUtcTime(now.AddHours(-1));
        w.WriteUtcTime(o.NextUpdate ?? now.AddDays(7));
        if (o.EmptyRevokedList || o.Serials.Length > 0 || o.RawEntries.Length > 0)
        {
            w.PushSequence();
            foreach (var s in o.Serials)
                w.WriteEncodedValue(CrlEncoder.EncodeEntry(s, now.AddHours(-2), RevocationReason.KeyCompromise, null));
            foreach (var raw in o.RawEntries)
                w.WriteEncodedValue(raw);
            w.PopSequence();
        }
        if (o.Extensions)
        {
            var t0 = new Asn1Tag(TagClass.ContextSpecific, 0);
            w.PushSequence(t0);
            w.PushSequence();
            if (!o.EmptyExtensions)
            {
                w.PushSequence();
                w.WriteObjectIdentifier("2.5.29.20");
                using (w.PushOctetString())
                    w.WriteInteger(o.Delta ? 2 : 1);
                w.PopSequence();
                if (o.Delta)
                {
                    w.PushSequence();
                    w.WriteObjectIdentifier("2.5.29.27");
                    w.WriteBoolean(true);
                    using (w.PushOctetString())
                        w.WriteInteger(1);
                    w.PopSequence();
                }
                w.PushSequence();
                w.WriteObjectIdentifier("2.5.29.35");
                using (w.PushOctetString())
                {
                    w.PushSequence();
                    w.WriteOctetString(CrlEncoder.CaAkiKeyId(issuer), new Asn1Tag(TagClass.ContextSpecific, 0));
                    w.PopSequence();
                }
                w.PopSequence();
                if (o.Idp is { } idp)
                {
                    w.PushSequence();
                    w.WriteObjectIdentifier("2.5.29.28");
                    w.WriteBoolean(true);
                    w.WriteOctetString(idp);
                    w.PopSequence();
                }
            }
            w.PopSequence();
            w.PopSequence(t0);
        }
        w.PopSequence();
        var tbs = w.Encode();
        var signature = key is ECDsa ec ? ec.SignData(tbs, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            : ((RSA)key).SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var outer = new AsnWriter(AsnEncodingRules.DER);
        outer.PushSequence();
        outer.WriteEncodedValue(tbs);
        if (o.OuterAlgorithm is { } oid)
        {
            outer.PushSequence();
            outer.WriteObjectIdentifier(oid);
            outer.PopSequence();
        }
        else
        {
            outer.WriteEncodedValue(alg);
        }
        outer.WriteBitString(signature);
        outer.PopSequence();
        return outer.Encode();
    }

    private ChainElementResult Check(byte[] crl, X509Certificate2? cert = null, IReadOnlyList<X509Certificate2>? extra = null, byte[]? delta = null)
    {
        var result = ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = cert ?? _child,
            TrustedRoots = new[] { _root },
            Intermediates = extra ?? Array.Empty<X509Certificate2>(),
            Crls = delta is null ? new[] { crl } : new[] { crl, delta },
            RevocationMode = RevocationMode.Check,
            UnknownRevocationIsFailure = true,
        });
        return result.Elements[0];
    }

    private static byte[] IdpWithUri(string uri, bool onlyUser = false)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.PushSequence();
        if (uri.Length > 0)
        {
            w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            w.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            w.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            w.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
        }
        if (onlyUser)
            w.WriteBoolean(true, new Asn1Tag(TagClass.ContextSpecific, 1));
        w.PopSequence();
        return w.Encode();
    }

    private static void AssertCode(ChainElementResult e, string code)
    {
        Assert.Equal(RevocationStatus.Unknown, e.Revocation);
        Assert.Contains(e.Problems, p => p.Code == code);
    }

    [Fact]
    public void AWellFormedCrl_IsUsed() =>
        Assert.Equal(RevocationStatus.Good, Check(Forge(new Crl())).Revocation);

    [Fact]
    public void AWellFormedCrl_ListingTheCertificate_Revokes() =>
        Assert.Equal(RevocationStatus.Revoked, Check(Forge(new Crl { Serials = new[] { _child.SerialNumberBytes.ToArray() } })).Revocation);

    [Fact]
    public void ExplicitV1Version_IsNotDer() => AssertCode(Check(Forge(new Crl { Version = 0, Extensions = false })), ChainProblemCodes.CrlVersionInvalid);

    [Fact]
    public void VersionsBeyondV2_DoNotExist() => AssertCode(Check(Forge(new Crl { Version = 2 })), ChainProblemCodes.CrlVersionInvalid);

    [Fact]
    public void V1Crl_WithExtensions_IsInvalid() => AssertCode(Check(Forge(new Crl { Version = null })), ChainProblemCodes.CrlVersionInvalid);

    [Fact]
    public void V1Crl_WithoutExtensions_IsUsed() =>
        Assert.Equal(RevocationStatus.Good, Check(Forge(new Crl { Version = null, Extensions = false })).Revocation);

    [Fact]
    public void EmptyRevokedCertificates_IsInvalid() => AssertCode(Check(Forge(new Crl { EmptyRevokedList = true })), ChainProblemCodes.CrlEmptySequence);

    [Fact]
    public void EmptyCrlExtensions_IsInvalid() => AssertCode(Check(Forge(new Crl { EmptyExtensions = true })), ChainProblemCodes.CrlEmptySequence);

    [Fact]
    public void EmptyIssuingDistributionPoint_IsInvalid() => AssertCode(Check(Forge(new Crl { Idp = IdpWithUri("") })), ChainProblemCodes.CrlEmptySequence);

    [Fact]
    public void OuterSignatureAlgorithm_MustEqualTheTbsOne() =>
        AssertCode(Check(Forge(new Crl { OuterAlgorithm = "1.2.840.10045.4.3.3" })), ChainProblemCodes.CrlSignatureAlgorithmMismatch);

    [Fact]
    public void IdpForAnotherDistributionPoint_DoesNotCoverTheCertificate()
    {
        AssertCode(Check(Forge(new Crl { Idp = IdpWithUri("http://127.0.0.1:1/other.crl") })), ChainProblemCodes.CrlScopeMismatch);
        Assert.Equal(RevocationStatus.Good, Check(Forge(new Crl { Idp = IdpWithUri("http://127.0.0.1:1/Root.crl") })).Revocation);
    }

    [Fact]
    public void OnlyContainsUserCerts_DoesNotCoverACaCertificate() =>
        AssertCode(Check(Forge(new Crl { Idp = IdpWithUri("http://127.0.0.1:1/Root.crl", onlyUser: true) })), ChainProblemCodes.CrlScopeMismatch);

    [Fact]
    public void TwoEntriesForOneSerial_AreCrlDuplicateEntry_NeverGood()
    {
        // removeFromCRL first, keyCompromise second: read by order this answered Good.
        var serial = _child.SerialNumberBytes.ToArray();
        var now = DateTimeOffset.UtcNow;
        var crl = Forge(new Crl { RawEntries = new[]
        {
            CrlEncoder.EncodeEntry(serial, now.AddHours(-2), RevocationReason.RemoveFromCrl, null),
            CrlEncoder.EncodeEntry(serial, now.AddHours(-2), RevocationReason.KeyCompromise, null),
        } });
        AssertCode(Check(crl), ChainProblemCodes.CrlDuplicateEntry);
    }

    [Fact]
    public void ACertificateIssuerEntryExtension_OutsideAnIndirectCrl_IsCrlEntryIssuerNotIndirect()
    {
        // An entry naming another issuer, then the child's serial: a non-indirect CRL must not let it reassign entries.
        var crl = Forge(new Crl { RawEntries = new[] { EntryWithCertificateIssuer(new byte[] { 0x7F }, "CN=Somebody Else"), CrlEncoder.EncodeEntry(_child.SerialNumberBytes.ToArray(), DateTimeOffset.UtcNow.AddHours(-2), RevocationReason.KeyCompromise, null) } });
        AssertCode(Check(crl), ChainProblemCodes.CrlEntryIssuerNotIndirect);
    }

    [Fact]
    public void ADeltaCrlWithADefect_IsNotRead_AndTheBaseAloneDoesNotAnswerGood()
    {
        var serial = _child.SerialNumberBytes.ToArray();
        var now = DateTimeOffset.UtcNow;
        var delta = Forge(new Crl { Delta = true, RawEntries = new[]
        {
            CrlEncoder.EncodeEntry(serial, now.AddHours(-2), RevocationReason.KeyCompromise, null),
            CrlEncoder.EncodeEntry(serial, now.AddHours(-2), RevocationReason.RemoveFromCrl, null),
        } });
        AssertCode(Check(Forge(new Crl()), delta: delta), ChainProblemCodes.CrlDuplicateEntry);
        var goodDelta = Forge(new Crl { Delta = true, Serials = new[] { serial } });
        Assert.Equal(RevocationStatus.Revoked, Check(Forge(new Crl()), delta: goodDelta).Revocation);
    }

    private static byte[] EntryWithCertificateIssuer(byte[] serial, string issuer)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(serial);
            w.WriteUtcTime(DateTimeOffset.UtcNow.AddHours(-2));
            using (w.PushSequence())
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier("2.5.29.29");
                w.WriteBoolean(true);
                using (w.PushOctetString())
                using (w.PushSequence())
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, true)))
                    w.WriteEncodedValue(new X500DistinguishedName(issuer).RawData);
            }
        }
        return w.Encode();
    }

    [Fact]
    public void StaleCrl_IsItsOwnOutcome() =>
        AssertCode(Check(Forge(new Crl { NextUpdate = DateTimeOffset.UtcNow.AddMinutes(-1) })), ChainProblemCodes.CrlExpired);

    [Fact]
    public void AfterKeyRollover_TheCrlSignerIsFoundByNameAndKeyIdentifier()
    {
        // The root's previous key signs the CRL. Without a certificate for that key the status is unknown, with its own code.
        using var previousKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stub = new CertificateRequest(_root.SubjectName, previousKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var byOldKey = Forge(new Crl { Issuer = stub, Key = previousKey, Serials = new[] { _child.SerialNumberBytes.ToArray() } });
        AssertCode(Check(byOldKey), ChainProblemCodes.CrlSignerNotFound);

        // The new root certifies its previous key (same name, the old key, cRLSign): now the CRL is used and revokes.
        var oldKeyCert = CaCertificateBuilder.Issue(_root.SubjectName, stub.PublicKey, new CaCertificateBuilder.Signer(_root, _rootKey),
            SignatureHash.Sha256, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), null);
        Assert.Equal(RevocationStatus.Revoked, Check(byOldKey, extra: new[] { oldKeyCert }).Revocation);
    }
}
