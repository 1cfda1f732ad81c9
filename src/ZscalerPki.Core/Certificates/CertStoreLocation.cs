using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// A certificate-store location written the way PowerShell's Cert: drive spells it (<c>Cert:\CurrentUser\My</c>),
/// parsed by us because the Cert: provider exists only on Windows; mapped to <see cref="X509Store"/>, which works everywhere.
/// </summary>
public sealed record CertStoreLocation(StoreLocation Location, string StoreName)
{
    /// <summary>
    /// Parses <c>Cert:\CurrentUser\My</c>, <c>Cert:/LocalMachine/Root</c>, <c>Microsoft.PowerShell.Security\Certificate::CurrentUser\My</c>
    /// or <c>CurrentUser\My</c>; case-insensitive.
    /// </summary>
    public static CertStoreLocation Parse(string text)
    {
        if (!TryParse(text, out var location))
            throw new PkiException(PkiErrorIds.InvalidStoreLocation, PkiErrorCategory.InvalidArgument,
                $"'{text}' is not a certificate store location. Write it as Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\Root.", text);
        return location!;
    }

    public static bool TryParse(string? text, out CertStoreLocation? location)
    {
        location = null;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var t = text.Trim();
        var providerQualifier = t.IndexOf("::", StringComparison.Ordinal);
        if (providerQualifier >= 0)
        {
            if (!t[..providerQualifier].EndsWith("Certificate", StringComparison.OrdinalIgnoreCase))
                return false;
            t = t[(providerQualifier + 2)..];
        }
        else if (t.StartsWith("Cert:", StringComparison.OrdinalIgnoreCase))
        {
            t = t[5..];
        }
        var parts = t.Split(new[] { '\\', '/' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
            return false;
        StoreLocation loc;
        if (parts[0].Equals("CurrentUser", StringComparison.OrdinalIgnoreCase))
            loc = StoreLocation.CurrentUser;
        else if (parts[0].Equals("LocalMachine", StringComparison.OrdinalIgnoreCase))
            loc = StoreLocation.LocalMachine;
        else
            return false;
        location = new CertStoreLocation(loc, parts[1]);
        return true;
    }

    /// <summary>True when the text names a store (starts with Cert: or the provider qualifier).</summary>
    public static bool LooksLikeStorePath(string? text) =>
        text is not null && (text.TrimStart().StartsWith("Cert:", StringComparison.OrdinalIgnoreCase)
            || text.Contains("Certificate::", StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"Cert:\\{Location}\\{StoreName}";

    /// <summary>The certificates in the store.</summary>
    public IReadOnlyList<X509Certificate2> ReadAll()
    {
        try
        {
            using var store = new X509Store(StoreName, Location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            return store.Certificates.Cast<X509Certificate2>().ToList();
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.StoreUnavailable, PkiErrorCategory.OpenError,
                $"Cannot open the certificate store {this}: {ex.Message}", ToString(), ex);
        }
    }

    /// <summary>
    /// Adds a certificate with its private key, persisted (a key generated in memory is round-tripped through PKCS#12 with
    /// persistence flags so that Windows keeps it in the key store; on Linux and macOS .NET keeps it in the store file).
    /// </summary>
    public X509Certificate2 AddWithPrivateKey(X509Certificate2 certificateWithKey)
    {
        var transportPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var pfx = certificateWithKey.Export(X509ContentType.Pkcs12, transportPassword);
        try
        {
            var flags = X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable
                | (Location == StoreLocation.LocalMachine ? X509KeyStorageFlags.MachineKeySet : X509KeyStorageFlags.UserKeySet);
#pragma warning disable SYSLIB0057
            var persisted = new X509Certificate2(pfx, transportPassword, flags);
#pragma warning restore SYSLIB0057
            using var store = new X509Store(StoreName, Location);
            store.Open(OpenFlags.ReadWrite);
            store.Add(persisted);
            return persisted;
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.StoreWriteFailed, PkiErrorCategory.WriteError,
                $"Cannot add the certificate to {this}: {ex.Message}. On Linux and macOS only Cert:\\CurrentUser stores are writable; on Windows LocalMachine needs an elevated session.", ToString(), ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }

    /// <summary>Adds a certificate without a key (e.g. a trusted root); an existing identical one is left as it is.</summary>
    public void Add(X509Certificate2 certificate)
    {
        try
        {
            using var store = new X509Store(StoreName, Location);
            store.Open(OpenFlags.ReadWrite);
            store.Add(certificate);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.StoreWriteFailed, PkiErrorCategory.WriteError,
                $"Cannot add the certificate to {this}: {ex.Message}. On Linux and macOS only Cert:\\CurrentUser stores are writable (and .NET does not use CurrentUser\\Root for trust there); on Windows LocalMachine needs an elevated session.", ToString(), ex);
        }
    }
}
