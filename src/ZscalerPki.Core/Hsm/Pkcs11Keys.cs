using System.Formats.Asn1;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ZscalerPki.Core.Hsm;

/// <summary>An object in a token as its user sees it (a test or diagnostic view; never key material).</summary>
public sealed record Pkcs11ObjectInfo(string Class, string Label, string IdHex, bool? Sensitive, bool? Extractable);

/// <summary>Key pairs in a token: generating, finding by RFC 7512 reference, and reading what the public key is.</summary>
internal static class Pkcs11Keys
{
    public static Pkcs11GeneratedKey Generate(Pkcs11Module module, string token, string label, Pkcs11KeySpec spec, ReadOnlySpan<char> pin)
    {
        var session = module.Open(token, null, pin);
        try
        {
            var id = RandomNumberGenerator.GetBytes(8);
            var reference = new Pkcs11KeyReference { ModulePath = module.Path, Token = token, Object = label, IdHex = Convert.ToHexString(id) };
            IObjectHandle publicKey, privateKey;
            lock (session.Gate)
            {
                var (mechanism, publicTemplate, privateTemplate) = Templates(session.Factories, spec, label, id);
                try
                {
                    session.Session.GenerateKeyPair(mechanism, publicTemplate, privateTemplate, out publicKey, out privateKey);
                }
                catch (Pkcs11Exception ex)
                {
                    throw new PkiException(PkiErrorIds.HsmKeyGenerationFailed, PkiErrorCategory.InvalidResult,
                        $"The token '{token}' could not generate a {spec} key labelled '{label}' ({ex.RV}). Check that the token supports it and has room for it.", token, ex);
                }
            }
            var opened = new Pkcs11PrivateKey(session, privateKey, reference);
            void Destroy() => opened.DestroyKeyPair(publicKey);
            try
            {
                return new Pkcs11GeneratedKey(Wrap(opened, publicKey), reference, Destroy);
            }
            catch
            {
                Destroy();
                throw;
            }
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public static AsymmetricAlgorithm Open(Pkcs11Module module, Pkcs11KeyReference reference, ReadOnlySpan<char> pin)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = module.Open(reference.Token, reference.Serial, pin);
            try
            {
                if (FindPrivateKey(session, reference) is { } handle)
                    return Wrap(new Pkcs11PrivateKey(session, handle, reference), null);
            }
            catch
            {
                session.Dispose();
                throw;
            }
            session.Dispose();
            // A key in a token the module shows from an older configuration: initialise it again with today's environment.
            if (attempt > 0 || !module.ReinitialiseIfEnvironmentChanged())
                throw Pkcs11Errors.KeyNotFound(reference, "it was deleted or never created there");
        }
    }

    public static IReadOnlyList<Pkcs11ObjectInfo> ListObjects(Pkcs11Module module, string token, ReadOnlySpan<char> pin)
    {
        using var session = module.Open(token, null, pin);
        lock (session.Gate)
        {
            var list = new List<Pkcs11ObjectInfo>();
            foreach (var handle in session.Session.FindAllObjects(new List<IObjectAttribute>()))
            {
                var values = session.Session.GetAttributeValue(handle, new List<CKA> { CKA.CKA_CLASS, CKA.CKA_LABEL, CKA.CKA_ID, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE });
                var objectClass = (CKO)values[0].GetValueAsUlong();
                var isPrivate = objectClass is CKO.CKO_PRIVATE_KEY or CKO.CKO_SECRET_KEY;
                list.Add(new Pkcs11ObjectInfo(objectClass.ToString(), values[1].CannotBeRead ? string.Empty : values[1].GetValueAsString(),
                    values[2].CannotBeRead ? string.Empty : Convert.ToHexString(values[2].GetValueAsByteArray() ?? Array.Empty<byte>()),
                    isPrivate && !values[3].CannotBeRead ? values[3].GetValueAsBool() : null,
                    isPrivate && !values[4].CannotBeRead ? values[4].GetValueAsBool() : null));
            }
            return list;
        }
    }

    private static (IMechanism, List<IObjectAttribute>, List<IObjectAttribute>) Templates(Pkcs11InteropFactories f, Pkcs11KeySpec spec, string label, byte[] id)
    {
        var a = f.ObjectAttributeFactory;
        var publicTemplate = new List<IObjectAttribute>
        {
            a.Create(CKA.CKA_TOKEN, true), a.Create(CKA.CKA_PRIVATE, false), a.Create(CKA.CKA_VERIFY, true),
            a.Create(CKA.CKA_LABEL, label), a.Create(CKA.CKA_ID, id),
        };
        // The private key never leaves the token: sensitive (its secret parts are never readable) and never extractable
        // (not even wrapped). Signing only; an EC key may also derive (its ECDH with itself seals the forge cache).
        var privateTemplate = new List<IObjectAttribute>
        {
            a.Create(CKA.CKA_TOKEN, true), a.Create(CKA.CKA_PRIVATE, true), a.Create(CKA.CKA_SENSITIVE, true), a.Create(CKA.CKA_EXTRACTABLE, false),
            a.Create(CKA.CKA_SIGN, true), a.Create(CKA.CKA_LABEL, label), a.Create(CKA.CKA_ID, id),
        };
        if (spec.Curve is { } curve)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteObjectIdentifier(curve.Oid.Value!);
            publicTemplate.Add(a.Create(CKA.CKA_EC_PARAMS, writer.Encode()));
            privateTemplate.Add(a.Create(CKA.CKA_DERIVE, true));
            return (f.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN), publicTemplate, privateTemplate);
        }
        publicTemplate.Add(a.Create(CKA.CKA_MODULUS_BITS, (ulong)spec.RsaBits));
        publicTemplate.Add(a.Create(CKA.CKA_PUBLIC_EXPONENT, new byte[] { 0x01, 0x00, 0x01 }));
        privateTemplate.Add(a.Create(CKA.CKA_DECRYPT, false));
        return (f.MechanismFactory.Create(CKM.CKM_RSA_PKCS_KEY_PAIR_GEN), publicTemplate, privateTemplate);
    }

    private static IObjectHandle? FindPrivateKey(Pkcs11Session session, Pkcs11KeyReference reference)
    {
        var a = session.Factories.ObjectAttributeFactory;
        var template = new List<IObjectAttribute> { a.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), a.Create(CKA.CKA_LABEL, reference.Object) };
        if (!string.IsNullOrEmpty(reference.IdHex))
            template.Add(a.Create(CKA.CKA_ID, Convert.FromHexString(reference.IdHex)));
        List<IObjectHandle> found;
        lock (session.Gate)
        {
            try
            {
                found = session.Session.FindAllObjects(template);
            }
            catch (Pkcs11Exception ex)
            {
                throw Pkcs11Errors.Operation(ex, reference, "a search for the key");
            }
        }
        if (found.Count > 1)
            throw new PkiException(PkiErrorIds.InvalidKeyReference, PkiErrorCategory.InvalidArgument,
                $"Token '{reference.Token}' has {found.Count} private keys labelled '{reference.Object}'. Name the one to use by its id too (pkcs11:...;id=%..).", reference.Uri);
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The opened key as .NET's RSA or ECDsa, with the public key read from the token.</summary>
    private static AsymmetricAlgorithm Wrap(Pkcs11PrivateKey key, IObjectHandle? publicKey)
    {
        var type = (CKK)key.Read(CKA.CKA_KEY_TYPE)[0].GetValueAsUlong();
        switch (type)
        {
            case CKK.CKK_RSA:
            {
                var values = key.Read(CKA.CKA_MODULUS, CKA.CKA_PUBLIC_EXPONENT);
                return new Pkcs11Rsa(key, new RSAParameters { Modulus = values[0].GetValueAsByteArray(), Exponent = values[1].GetValueAsByteArray() });
            }
            case CKK.CKK_EC:
            {
                var values = key.Read(CKA.CKA_EC_PARAMS, CKA.CKA_ID);
                var curve = CurveOf(values[0].GetValueAsByteArray(), key.Reference);
                var point = key.PublicPoint(publicKey, values[1].CannotBeRead ? null : values[1].GetValueAsByteArray());
                return new Pkcs11ECDsa(key, new ECParameters { Curve = curve, Q = PointOf(point, curve, key.Reference) });
            }
            default:
                throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
                    $"The HSM key {key.Reference.Uri} is neither RSA nor EC ({type}); CA keys here are RSA or ECDSA.", key.Reference.Uri);
        }
    }

    private static ECCurve CurveOf(byte[] ecParams, Pkcs11KeyReference reference)
    {
        string oid;
        try
        {
            oid = new AsnReader(ecParams, AsnEncodingRules.DER).ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
                $"The HSM key {reference.Uri} is on a curve given by explicit parameters; CA keys here are on P-256, P-384 or P-521.", reference.Uri, ex);
        }
        return oid switch
        {
            "1.2.840.10045.3.1.7" => ECCurve.NamedCurves.nistP256,
            "1.3.132.0.34" => ECCurve.NamedCurves.nistP384,
            "1.3.132.0.35" => ECCurve.NamedCurves.nistP521,
            _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
                $"The HSM key {reference.Uri} is on the curve {oid}; CA keys here are on P-256, P-384 or P-521.", reference.Uri),
        };
    }

    /// <summary>The uncompressed point of CKA_EC_POINT: a DER OCTET STRING by the standard, raw from some tokens.</summary>
    private static ECPoint PointOf(byte[] ecPoint, ECCurve curve, Pkcs11KeyReference reference)
    {
        var size = Pkcs11ECDsa.FieldBytes(curve);
        var raw = ecPoint;
        if (raw.Length != 1 + 2 * size || raw[0] != 0x04)
        {
            try
            {
                raw = AsnDecoder.ReadOctetString(ecPoint, AsnEncodingRules.BER, out _);
            }
            catch (AsnContentException)
            {
                raw = Array.Empty<byte>();
            }
        }
        if (raw.Length != 1 + 2 * size || raw[0] != 0x04)
            throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
                $"The public key of {reference.Uri} is not an uncompressed EC point the token can be read as.", reference.Uri);
        return new ECPoint { X = raw.AsSpan(1, size).ToArray(), Y = raw.AsSpan(1 + size, size).ToArray() };
    }
}
