namespace ZscalerPki.Core.Validation;

/// <summary>
/// A CRL's entries indexed by serial number, built once per CRL and request, so that checking a certificate against a
/// CRL with 100,000 entries is a look-up rather than a scan (a scan per candidate path was a denial of service).
/// </summary>
internal sealed class CrlIndex
{
    private readonly ParsedCrl _crl;
    private readonly Dictionary<string, List<CrlEntry>> _bySerial = new(StringComparer.Ordinal);

    public CrlIndex(ParsedCrl crl)
    {
        _crl = crl;
        foreach (var entry in crl.Entries)
        {
            if (entry.HasUnknownCriticalExtension)
            {
                HasEntryWithUnknownCriticalExtension = true;
            }
            var key = Convert.ToHexString(entry.Serial);
            if (!_bySerial.TryGetValue(key, out var list))
            {
                list = new List<CrlEntry>(1);
                _bySerial[key] = list;
            }
            list.Add(entry);
        }
    }

    public bool HasEntryWithUnknownCriticalExtension { get; }

    /// <summary>The first entry (in CRL order) with the certificate's serial whose certificate issuer is the certificate's issuer.</summary>
    public CrlEntry? Find(ParsedCertificate certificate)
    {
        if (!_bySerial.TryGetValue(Convert.ToHexString(certificate.Serial), out var entries))
        {
            return null;
        }
        foreach (var entry in entries)
        {
            if ((entry.EntryIssuer ?? _crl.Issuer).Equals(certificate.Issuer))
            {
                return entry;
            }
        }
        return null;
    }
}
