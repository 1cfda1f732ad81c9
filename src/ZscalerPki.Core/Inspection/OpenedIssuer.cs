using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// An issuer whose key was opened in a <see cref="ForgingSession"/> (once per issuer certificate and password), with its forgers: one
/// signing directly, and one per rotating-CA generation. Shared keys are created once and persisted sealed.
/// </summary>
internal sealed class OpenedIssuer : IDisposable
{
    private readonly object _gate = new();
    private readonly X509Certificate2 _certificate;
    private readonly AsymmetricAlgorithm _key;
    private readonly IReadOnlyList<X509Certificate2> _chain;
    private readonly string _label;
    private readonly ForgeCache _cache;
    private Forger? _direct;
    private (Forger Forger, DateTimeOffset Until, TimeSpan Period)? _rotating;

    public OpenedIssuer(string? collection, string? name, X509Certificate2 certificate, AsymmetricAlgorithm key,
        IReadOnlyList<X509Certificate2> chain, InspectionStore? store, string label, ForgeCache cache)
    {
        _cache = cache;
        Collection = collection;
        Name = name;
        _certificate = certificate;
        _key = key;
        _chain = chain;
        Store = store;
        _label = label;
    }

    public string? Collection { get; }
    public string? Name { get; }
    /// <summary>The key signs inside an HSM (it can go away under us: deleted, token removed).</summary>
    public bool InHsm { get; init; }
    public InspectionStore? Store { get; }

    public IssuerReference ReferenceFor(X509Certificate2 signing) =>
        new(Collection ?? "external", Name ?? _certificate.Subject, signing, !ReferenceEquals(signing, _certificate));

    public Forger ForgerFor(ForgeRequest request, DateTimeOffset now, IIssuerPublicationSource publication, IIssuanceRecorder recorder, List<string> information)
    {
        var options = new ForgeOptions { MaxValidity = request.MaxValidity ?? ForgeOptions.MaximumTlsValidity(now) };
        if (!request.RotatingIssuer)
        {
            var current = publication.GetPublication(ReferenceFor(_certificate));
            lock (_gate)
            {
                if (_direct is null || _direct.Options != options || _direct.Issuer.Publication.Fingerprint != current.Fingerprint)
                {
                    var issuer = new ForgingIssuer(_certificate, _key, _chain, current, _label);
                    _direct = new Forger(issuer, options, _cache, SharedKeyFactory);
                }
                return _direct;
            }
        }

        RotatingIssuerService.RequireRoomForRotation(_certificate, _label);
        lock (_gate)
        {
            if (_rotating is { } r && now < r.Until && r.Period == request.RotationPeriod && r.Forger.Options == options
                && r.Forger.Issuer.Publication.Fingerprint == publication.GetPublication(ReferenceFor(r.Forger.Issuer.Certificate)).Fingerprint)
                return r.Forger;
        }
        // Disk and (rarely) a CA signature: outside the gate; the vault lock serialises issuing across processes.
        if (Store is null)
            throw new PkiException(PkiErrorIds.RotationNotAllowed, PkiErrorCategory.InvalidOperation,
                $"A rotating issuing CA keeps its key in the vault beside its issuer, so it needs a vault CA; {_label} was passed as a certificate. Name a vault CA with -Issuer.", _label);
        var parentPublication = publication.GetPublication(ReferenceFor(_certificate));
        var (cert, key, issued) = RotatingIssuerService.Current(Store, _certificate, _key, parentPublication, request.RotationPeriod, now,
            recordIssued: t => recorder.Record(new IssuanceRecord
            {
                Issuer = ReferenceFor(_certificate),
                Kind = "RotatingIssuer",
                CertificateDer = t.RawData,
                SerialNumber = t.SerialNumber,
                Subject = t.Subject,
                NotBefore = t.NotBefore.ToUniversalTime(),
                NotAfter = t.NotAfter.ToUniversalTime(),
            }));
        if (issued)
        {
            information.Add($"A new rotating issuing CA '{cert.Subject}' was issued by {_label}; it signs server certificates until {(now + request.RotationPeriod).UtcDateTime:u}.");
        }
        var generationStart = new DateTimeOffset(cert.NotBefore.ToUniversalTime()) + Certificates.CaCertificateBuilder.Backdate;
        var rotatingIssuer = new ForgingIssuer(cert, key, new[] { _certificate }.Concat(_chain).ToList(),
            publication.GetPublication(ReferenceFor(cert)), $"'{cert.Subject}'");
        var forger = new Forger(rotatingIssuer, options, _cache, SharedKeyFactory);
        lock (_gate)
        {
            _rotating = (forger, generationStart + request.RotationPeriod, request.RotationPeriod);
        }
        return forger;
    }

    /// <summary>
    /// The context bound into a sealed shared leaf key (AES-GCM associated data), "&lt;label&gt;/&lt;algorithm&gt;": it names what
    /// the ciphertext is for, so a sealed blob cannot be swapped for another. Not a path; it must stay byte-identical for
    /// keys sealed by earlier versions, as the per-site "leaf/&lt;cache key&gt;" context does.
    /// </summary>
    private static string SharedKeySealContext(InspectionKeyAlgorithm algorithm) => $"{SharedKeySealLabel}/{algorithm}";

    private const string SharedKeySealLabel = "shared";

    /// <summary>The shared leaf key: read from the vault, or created and persisted (sealed) once per issuer.</summary>
    private LeafKey SharedKeyFactory(InspectionKeyAlgorithm algorithm)
    {
        if (Store is null)
            return LeafKey.Generate(algorithm, shared: true);
        var context = SharedKeySealContext(algorithm);
        if (Store.ReadSharedKey(algorithm) is { } stored)
            return LeafKey.FromPkcs8(Store.Unseal(stored.SealedKey, context), algorithm, shared: true);
        using (Store.Lock())
        {
            if (Store.ReadSharedKey(algorithm) is { } raced)
                return LeafKey.FromPkcs8(Store.Unseal(raced.SealedKey, context), algorithm, shared: true);
            var key = LeafKey.Generate(algorithm, shared: true);
            Store.WriteSharedKey(algorithm, new PersistedSharedKey { SealedKey = Store.Seal(key.Key.ExportPkcs8PrivateKey(), context), CreatedUtc = DateTimeOffset.UtcNow });
            return key;
        }
    }

    public void Dispose()
    {
        _direct?.Issuer.Dispose();
        _rotating?.Forger.Issuer.Dispose();
        _key.Dispose(); // also when no forger took it yet: an HSM key holds a token session until disposed
    }
}
