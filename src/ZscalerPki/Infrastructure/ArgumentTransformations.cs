using System.Globalization;
using System.Management.Automation;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// A length in whole days (<c>-ValidityDays</c>, <c>-RotationDays</c>) also taken as a TimeSpan, so the old TimeSpan
/// parameters (<c>-Validity 7.00:00:00</c>, <c>-RotationPeriod (New-TimeSpan -Days 7)</c>) still work through their aliases.
/// A TimeSpan that is not whole days is refused with what to pass instead.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DaysTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CertificateInput.Unwrap(inputData);
        TimeSpan? span = value switch
        {
            TimeSpan t => t,
            string s when s.Contains(':') && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
        if (span is not { } ts)
            return value;
        if (ts.Ticks % TimeSpan.TicksPerDay != 0)
            throw new ArgumentTransformationMetadataException(
                $"'{ts}' is not a whole number of days. Pass the number of days (e.g. 7); for a CRL that ends at another time, pass -NextUpdate <DateTime>.");
        return (int)(ts.Ticks / TimeSpan.TicksPerDay);
    }
}

/// <summary>
/// <c>-KeyAlgorithm</c> also taken as the RSA key size the old <c>-KeySize</c> parameter used: 2048, 3072, 4096 become
/// Rsa2048, Rsa3072, Rsa4096, so <c>-KeySize 3072</c> (its alias) still works.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class KeySizeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CertificateInput.Unwrap(inputData);
        var text = value switch
        {
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            string s => s.Trim(),
            _ => null,
        };
        return text switch
        {
            "2048" => KeyAlgorithm.Rsa2048,
            "3072" => KeyAlgorithm.Rsa3072,
            "4096" => KeyAlgorithm.Rsa4096,
            _ => value,
        };
    }
}
