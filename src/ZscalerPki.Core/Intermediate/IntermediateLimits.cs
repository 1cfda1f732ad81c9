using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// Zscaler's limits per subscription: software protection only allows 2 intermediates with 1 enabled;
/// software and cloud HSM allows 8 with 4 enabled.
/// </summary>
public sealed record IntermediateLimits(int MaxIntermediates, int MaxEnabled)
{
    public static IntermediateLimits For(Subscription subscription) => subscription switch
    {
        Subscription.SoftwareAndHsm => new IntermediateLimits(8, 4),
        _ => new IntermediateLimits(2, 1),
    };
}
