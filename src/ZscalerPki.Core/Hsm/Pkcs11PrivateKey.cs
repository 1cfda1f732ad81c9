using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// An open private key in a token: its handle and the logged-in session it is used through. Every use takes the
/// session's lock (a PKCS#11 session is not thread-safe), so one key signs on one thread at a time; keys do not share
/// sessions, so different keys sign in parallel.
/// </summary>
internal sealed class Pkcs11PrivateKey : IDisposable
{
    private readonly Pkcs11Session _session;
    private readonly IObjectHandle _handle;

    public Pkcs11PrivateKey(Pkcs11Session session, IObjectHandle handle, Pkcs11KeyReference reference)
    {
        _session = session;
        _handle = handle;
        Reference = reference;
    }

    public Pkcs11KeyReference Reference { get; }

    public Pkcs11InteropFactories Factories => _session.Factories;

    /// <summary>Attributes of the private key (public parts only: the token refuses the sensitive ones).</summary>
    public List<IObjectAttribute> Read(params CKA[] attributes) => Use("reading the key's attributes", s => s.GetAttributeValue(_handle, attributes.ToList()));

    /// <summary>Signs <paramref name="data"/> with <paramref name="mechanism"/> inside the token.</summary>
    public byte[] Sign(IMechanism mechanism, byte[] data) => Use("a signature", s => s.Sign(mechanism, _handle, data));

    /// <summary>
    /// CKA_EC_POINT of the key's public half: from <paramref name="publicKey"/> when known, else the public key object with
    /// the same CKA_ID (or label). A private EC key object does not carry the point itself.
    /// </summary>
    public byte[] PublicPoint(IObjectHandle? publicKey, byte[]? id) => Use("reading the public key", s =>
    {
        if (publicKey is null)
        {
            var a = Factories.ObjectAttributeFactory;
            var template = new List<IObjectAttribute> { a.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY), a.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC) };
            template.Add(id is { Length: > 0 } ? a.Create(CKA.CKA_ID, id) : a.Create(CKA.CKA_LABEL, Reference.Object));
            publicKey = s.FindAllObjects(template).FirstOrDefault()
                ?? throw Pkcs11Errors.KeyNotFound(Reference, "its public key object (with CKA_EC_POINT) is missing, so its public key cannot be read");
        }
        return s.GetAttributeValue(publicKey, new List<CKA> { CKA.CKA_EC_POINT })[0].GetValueAsByteArray();
    });

    /// <summary>
    /// The raw ECDH secret (x-coordinate, <paramref name="length"/> bytes) of this key with <paramref name="uncompressedPoint"/>,
    /// derived in the token (CKM_ECDH1_DERIVE, no KDF) as a session-only generic secret that may be read; null when the token
    /// or key refuses (no CKA_DERIVE, mechanism missing, policy).
    /// </summary>
    public byte[]? DeriveEcdh(byte[] uncompressedPoint, int length)
    {
        try
        {
            return Use("an ECDH derivation", s =>
            {
                using var parameters = Factories.MechanismParamsFactory.CreateCkEcdh1DeriveParams((ulong)CKD.CKD_NULL, null, uncompressedPoint);
                var mechanism = Factories.MechanismFactory.Create(CKM.CKM_ECDH1_DERIVE, parameters);
                var a = Factories.ObjectAttributeFactory;
                var template = new List<IObjectAttribute>
                {
                    a.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), a.Create(CKA.CKA_KEY_TYPE, CKK.CKK_GENERIC_SECRET),
                    a.Create(CKA.CKA_TOKEN, false), a.Create(CKA.CKA_SENSITIVE, false), a.Create(CKA.CKA_EXTRACTABLE, true),
                    a.Create(CKA.CKA_VALUE_LEN, (ulong)length),
                };
                var secret = s.DeriveKey(mechanism, _handle, template);
                try
                {
                    return s.GetAttributeValue(secret, new List<CKA> { CKA.CKA_VALUE })[0].GetValueAsByteArray();
                }
                finally
                {
                    s.DestroyObject(secret);
                }
            });
        }
        catch (CryptographicException)
        {
            return null; // the token refused (Pkcs11Errors.Operation's answer for a refusal): the forge cache stays in memory
        }
    }

    /// <summary>Destroys this key and <paramref name="publicKey"/> in the token (a creation that failed after generating them).</summary>
    public void DestroyKeyPair(IObjectHandle publicKey) => Use("destroying the new key pair", s =>
    {
        s.DestroyObject(_handle);
        s.DestroyObject(publicKey);
        return true;
    });

    public void Dispose() => _session.Dispose();

    private T Use<T>(string what, Func<ISession, T> operation)
    {
        lock (_session.Gate)
        {
            ObjectDisposedException.ThrowIf(_session.IsDisposed, this);
            try
            {
                return operation(_session.Session);
            }
            catch (Pkcs11Exception ex)
            {
                throw Pkcs11Errors.Operation(ex, Reference, what);
            }
        }
    }
}
