// The entry points of the issue "hostile inputs, broken disks and damaged stores": one damaged field inside a well-formed
// outer certificate or CSR, CRLs whose entries depend on their order, serial strings with a minus sign, key files with weak
// or huge KDF work or a ciphertext cut mid-block, and wildcard patterns over megabyte subjects. Besides ending cleanly,
// each asserts its outcome: a shape that must be refused but is accepted (or a CRL that answers Good) counts as unclean.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Robustness;

public sealed partial class RobustnessRunner
{
    private static readonly string[] HugeSubjects = { "CN=" + new string('a', 1_000_000), new string('a', 30_000) };

    private IEnumerable<(string Name, IEnumerator<MalformedInput> Inputs, Action<byte[]> Call)> FieldEntryPoints()
    {
        static IEnumerator<MalformedInput> Fixed(string kind, IEnumerable<(string Name, byte[] Data)> items) =>
            new FixedInputs(items.Select(i => new MalformedInput(kind, i.Name, i.Data)).ToList());
        var intermediateKey = _intermediate.GetRSAPrivateKey()!;

        yield return ("certificate fields", Fixed("certificate field", FieldDamage.Certificates(_leaf)), data => UseEveryField(CertificateReader.Read(data)[0]));
        yield return ("chain: leaf fields", Fixed("leaf field", FieldDamage.Certificates(_leaf, FieldDamage.SignWith(intermediateKey))),
            data => Validate(CertificateReader.Read(data)[0], _crl));
        yield return ("import: intermediate fields", Fixed("intermediate field", FieldDamage.Certificates(FieldsIntermediate(), FieldDamage.SignWith(_rootKey))),
            data => MustBeRefused(() => new IntermediateService(_importVault).Import(new ImportSignedIntermediateRequest
            {
                Name = "Fields", Certificates = CertificateReader.Read(data), Chain = new[] { _root },
            })));
        using (var csrKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var requests = FieldDamage.Requests(csrKey, "Robustness Fields CA").ToList();
            yield return ("csr fields", Fixed("csr field", requests), data =>
            {
                var csr = IntermediateCsr.Read(data);
                KeyPolicy.RequireAcceptableKey(csr.PublicKey, "the CSR");
                _ = csr.Subject.Name;
                _ = CertificateChecks.CommonName(csr.Subject);
                _ = csr.RequestsCa;
                _ = csr.PathLength;
            });
        }
        yield return ("crl entries", Fixed("crl", OrderDependentCrls(intermediateKey)), data =>
        {
            if (ValidateLeaf(data).Elements[0].Revocation == RevocationStatus.Good)
                throw new InvalidOperationException("a CRL whose entries depend on their order answered Good");
        });
        yield return ("serial strings", Fixed("serial", SerialTexts().Select(t => (t, Encoding.UTF8.GetBytes(t)))),
            data => MustBeRefused(() => SerialNumbers.Parse(Encoding.UTF8.GetString(data)), PkiErrorIds.InvalidSerialNumber));
        yield return ("key file protection", Fixed("key", KeyFiles()), data => MustBeRefused(
            () => KeyProtection.Decrypt(Encoding.ASCII.GetString(data), "pw", KeyProtection.EcOid, "robustness").Dispose(),
            PkiErrorIds.WeakKeyProtection, PkiErrorIds.KeyFileCorrupt));
        yield return ("wildcards over huge subjects", Fixed("pattern", Patterns().Select(p => (p, Encoding.UTF8.GetBytes(p)))), data =>
        {
            var pattern = new Wildcard(Encoding.UTF8.GetString(data));
            foreach (var subject in HugeSubjects)
                pattern.IsMatch(subject);
        });
    }

    /// <summary>A finite catalogue of inputs: each is run once, outside the share of the endless generators.</summary>
    private sealed class FixedInputs(List<MalformedInput> items) : IEnumerator<MalformedInput>
    {
        private int _at = -1;

        public int Count => items.Count;
        public MalformedInput Current => items[_at];
        object System.Collections.IEnumerator.Current => Current;
        public bool MoveNext() => ++_at < items.Count;
        public void Reset() => _at = -1;
        public void Dispose()
        {
        }
    }

    /// <summary>An intermediate for the vault entry "Fields" (its CSR's key and subject), issued by the root.</summary>
    private byte[] FieldsIntermediate()
    {
        var csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(new IntermediateService(_importVault).CreateCsr(new NewIntermediateCsrRequest
        {
            Name = "Fields", CommonName = "Robustness Fields CA", KeyPassword = "pw".AsMemory(), Status = IntermediateStatus.Disabled,
        }).Item.Csr));
        var request = new CertificateRequest(csr.Subject, csr.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(_root.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey), now.AddDays(-1), now.AddYears(1), new byte[] { 4, 3, 2, 1 });
        return issued.RawData;
    }

    /// <summary>A refusal with one of <paramref name="ids"/> (any catalogued id when none is given) passes through; acceptance is a regression.</summary>
    private static void MustBeRefused(Action call, params string[] ids)
    {
        try
        {
            call();
        }
        catch (PkiException ex) when (ids.Length == 0 || ids.Contains(ex.ErrorId))
        {
            throw;
        }
        catch (PkiException ex)
        {
            throw new InvalidOperationException($"refused as {ex.ErrorId}, expected {string.Join(" or ", ids)}: {ex.Message}", ex);
        }
        throw new InvalidOperationException("accepted, but must be refused");
    }

    /// <summary>What the commands do with a certificate after reading it: each lazy getter that used to throw later.</summary>
    private static void UseEveryField(X509Certificate2 c)
    {
        _ = (c.NotAfter, c.NotBefore, c.SubjectName.Name, c.IssuerName.Name, c.SerialNumber, c.PublicKey.Oid.Value);
        _ = CertificateChecks.CommonName(c.SubjectName);
        foreach (var e in c.Extensions)
        {
            switch (e)
            {
                case X509BasicConstraintsExtension bc: _ = (bc.CertificateAuthority, bc.PathLengthConstraint); break;
                case X509KeyUsageExtension ku: _ = ku.KeyUsages; break;
                case X509EnhancedKeyUsageExtension eku: _ = eku.EnhancedKeyUsages.Count; break;
                case X509SubjectKeyIdentifierExtension ski: _ = ski.SubjectKeyIdentifier; break;
                case X509AuthorityKeyIdentifierExtension aki: _ = (aki.KeyIdentifier, aki.NamedIssuer, aki.SerialNumber); break;
                case X509SubjectAlternativeNameExtension san: _ = (san.EnumerateDnsNames().Count(), san.EnumerateIPAddresses().Count()); break;
            }
        }
    }

    private ChainValidationResult ValidateLeaf(byte[] crl) => ChainValidator.Validate(new ChainValidationRequest
    {
        Certificate = _leafCertificate,
        TrustedRoots = new[] { _root },
        Intermediates = new[] { _intermediate },
        Crls = new[] { crl },
        RevocationMode = RevocationMode.Check,
    });

    /// <summary>
    /// CRLs from the intermediate listing the leaf's serial twice (removeFromCRL and keyCompromise, either order; RFC 5280
    /// 5.1.2.6), or after a certificateIssuer entry extension that reassigns it although the CRL is not indirect (5.3.3).
    /// </summary>
    private IEnumerable<(string Name, byte[] Der)> OrderDependentCrls(RSA key)
    {
        var serial = _leafCertificate.SerialNumberBytes.ToArray();
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        var remove = CrlEncoder.EncodeEntry(serial, at, RevocationReason.RemoveFromCrl, null);
        var compromise = CrlEncoder.EncodeEntry(serial, at, RevocationReason.KeyCompromise, null);
        var otherIssuer = FieldDamage.Seq(FieldDamage.Tlv(0x02, new byte[] { 0x7F }), FieldDamage.Tlv(0x17, Encoding.ASCII.GetBytes(at.UtcDateTime.ToString("yyMMddHHmmss") + "Z")),
            FieldDamage.Seq(FieldDamage.Seq(FieldDamage.Oid("2.5.29.29"), FieldDamage.Tlv(0x01, new byte[] { 0xFF }),
                FieldDamage.Tlv(0x04, FieldDamage.Seq(FieldDamage.Tlv(0xA4, new X500DistinguishedName("CN=Somebody Else").RawData))))));
        // The control: the same CRL with one keyCompromise entry revokes, so a Good below is the entries' doing.
        if (ValidateLeaf(Crl(key, compromise)).Elements[0].Revocation != RevocationStatus.Revoked)
            throw new InvalidOperationException("the robustness CRL with one keyCompromise entry does not revoke the leaf");
        yield return ("duplicate serial: removeFromCRL, then keyCompromise", Crl(key, remove, compromise));
        yield return ("duplicate serial: keyCompromise, then removeFromCRL", Crl(key, compromise, remove));
        yield return ("duplicate serial: keyCompromise twice", Crl(key, compromise, compromise));
        yield return ("certificateIssuer in a CRL that is not indirect, before the serial", Crl(key, otherIssuer, compromise));
    }

    private byte[] Crl(RSA key, params byte[][] entries)
    {
        var now = DateTimeOffset.UtcNow;
        static byte[] Utc(DateTimeOffset t) => FieldDamage.Tlv(0x17, Encoding.ASCII.GetBytes(t.UtcDateTime.ToString("yyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "Z"));
        var extensions = FieldDamage.Tlv(0xA0, FieldDamage.Seq(
            FieldDamage.Seq(FieldDamage.Oid("2.5.29.20"), FieldDamage.Tlv(0x04, FieldDamage.Tlv(0x02, new byte[] { 1 }))),
            FieldDamage.Seq(FieldDamage.Oid("2.5.29.35"), FieldDamage.Tlv(0x04, FieldDamage.Seq(FieldDamage.Tlv(0x80, CrlEncoder.CaAkiKeyId(_intermediate)))))));
        var tbs = FieldDamage.Seq(FieldDamage.Tlv(0x02, new byte[] { 1 }), FieldDamage.RsaSha256, _intermediate.SubjectName.RawData,
            Utc(now.AddHours(-1)), Utc(now.AddDays(7)), FieldDamage.Seq(entries), extensions);
        return FieldDamage.SignWith(key)(tbs);
    }

    /// <summary>Serials with a minus sign or dashes, which were stripped ("-1" revoked serial 01).</summary>
    private static IEnumerable<string> SerialTexts() => new[]
    {
        "-1", "-01", " -1 ", "--1", "-0x01", "0x-1", "01-02", "0-1", "1-", "01--02", "-", "0a:1b-2c", "01:-2", "- 1", "\u22121", "\u20101", "01:2", "0a::1b",
    };

    private static IEnumerable<(string Name, byte[] Data)> KeyFiles()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        yield return ("real key, PBKDF2-HMAC-SHA1 1 iteration", Encoding.ASCII.GetBytes(key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA1, 1))));
        yield return ("real key, 9,999 iterations", Encoding.ASCII.GetBytes(key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 9_999))));
        yield return ("real key, PBES1 3DES", Encoding.ASCII.GetBytes(key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, 20_000))));
        foreach (var (name, iterations, ivLength, ciphertextLength) in new (string, long, int, int)[]
        {
            ("10,000,001 iterations", 10_000_001, 16, 144), ("int.MaxValue iterations", int.MaxValue, 16, 144), ("2^40 iterations", 1L << 40, 16, 144),
            ("0 iterations", 0, 16, 144), ("ciphertext 145 bytes", KeyProtection.Iterations, 16, 145), ("ciphertext 15 bytes", KeyProtection.Iterations, 16, 15),
            ("ciphertext empty", KeyProtection.Iterations, 16, 0), ("IV 15 bytes", KeyProtection.Iterations, 15, 144),
        })
            yield return (name, Encoding.ASCII.GetBytes(CraftedKeyFile(iterations, ivLength, ciphertextLength)));
    }

    /// <summary>An EncryptedPrivateKeyInfo (RFC 5958) with PBES2/PBKDF2/AES-256-CBC parameters of our choosing and random ciphertext.</summary>
    private static string CraftedKeyFile(long iterations, int ivLength, int ciphertextLength)
    {
        var pbkdf2 = FieldDamage.Seq(FieldDamage.Oid("1.2.840.113549.1.5.12"), FieldDamage.Seq(
            FieldDamage.Tlv(0x04, RandomNumberGenerator.GetBytes(16)), Integer(iterations), FieldDamage.Seq(FieldDamage.Oid("1.2.840.113549.2.9"), new byte[] { 0x05, 0x00 })));
        var aes = FieldDamage.Seq(FieldDamage.Oid("2.16.840.1.101.3.4.1.42"), FieldDamage.Tlv(0x04, RandomNumberGenerator.GetBytes(ivLength)));
        var info = FieldDamage.Seq(FieldDamage.Seq(FieldDamage.Oid("1.2.840.113549.1.5.13"), FieldDamage.Seq(pbkdf2, aes)), FieldDamage.Tlv(0x04, RandomNumberGenerator.GetBytes(ciphertextLength)));
        return MalformedInputs.ToPem("ENCRYPTED PRIVATE KEY", info);

        static byte[] Integer(long value)
        {
            var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
            w.WriteInteger(value);
            return w.Encode();
        }
    }

    /// <summary>Patterns that made the former regex backtrack over long subjects (10.8 s for '*a*b' over 30,000 characters).</summary>
    private static IEnumerable<string> Patterns() => new[]
    {
        "*x*y*", "*a*b", "*a*a*a*a*a*a*a*a*a*a*b", "*?*?*?*?*?*?*?*z", "[a-z]*[a-z]*[a-z]*1", "*a`*", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*",
        "*" + new string('a', 20) + "b", "CN=*[!-~]*", "*[a-c]*[a-c]*[a-c]*[a-c]*[x-z]",
    };
}
