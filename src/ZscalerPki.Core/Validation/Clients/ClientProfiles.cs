namespace ZscalerPki.Core.Validation.Clients;

/// <summary>The registered client profiles, and the entry point that evaluates them over one validation.</summary>
public static class ClientProfiles
{
    /// <summary>Every client profile, in display order. A new client is one new class added here.</summary>
    public static IReadOnlyList<IClientProfile> All { get; } = new IClientProfile[]
    {
        new OpenSslClient(), new OpenSslStrictClient(), new PythonClient(), new GoClient(), new JavaClient(), new NssClient(), new NodeClient(),
        new ChromeClient(), new WindowsClient(), new AppleClient(), new RustlsClient(),
    };

    /// <summary>The ids of <see cref="All"/> (the values <c>-Client</c> takes, besides <c>All</c>).</summary>
    public static IReadOnlyList<string> Ids { get; } = All.Select(c => c.Id).ToList();

    /// <summary>The profile with this id (case-insensitive), or null. Aliases: azure-cli and pip are python (Python >= 3.13).</summary>
    public static IClientProfile? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Equals("azure-cli", StringComparison.OrdinalIgnoreCase) || id.Equals("pip", StringComparison.OrdinalIgnoreCase))
        {
            id = "python";
        }
        return All.FirstOrDefault(c => c.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The facts of a chain for the client rules: the validator's RFC 5280 result (<paramref name="rfc5280"/> when the
    /// caller already has it) and, when a client asks, its WebPki result for the same request.
    /// </summary>
    public static ClientChainFacts Facts(ChainValidationRequest request, ChainValidationResult? rfc5280 = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rfcRequest = request with { Profile = ValidationProfile.Rfc5280 };
        var baseResult = rfc5280 is { Profile: ValidationProfile.Rfc5280 } ? rfc5280 : ChainValidator.Validate(rfcRequest);
        return new ClientChainFacts(rfcRequest, baseResult, () => ChainValidator.Validate(request with { Profile = ValidationProfile.WebPki }));
    }

    /// <summary>Each client's verdict on <paramref name="request"/>'s chain.</summary>
    public static IReadOnlyList<ClientVerdict> Evaluate(ChainValidationRequest request, IEnumerable<IClientProfile> clients, ChainValidationResult? rfc5280 = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var facts = Facts(request, rfc5280);
        return clients.Select(c => c.Evaluate(facts)).ToList();
    }
}
