namespace ZscalerPki.Core.Hsm;

/// <summary>
/// A private key in a Windows CNG key storage provider (a TPM through "Microsoft Platform Crypto Provider", a smart card,
/// or an HSM vendor's KSP), referenced by provider and key name. The vault keeps only this.
/// </summary>
public sealed record CngKeyReference : IHsmKeyReference
{
    public required string Provider { get; init; }

    public required string KeyName { get; init; }

    public override string ToString() => $"{KeyName} (key storage provider '{Provider}')";

    public string Describe() => ToString();
}
