using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZscalerPki.Core.Tenant;

/// <summary>
/// JSON of the API read leniently where Zscaler is loose: ZPA sends numbers as strings (<c>"totalPages":"1"</c>,
/// <c>"validFromInEpochSec":"1619585839"</c>), ZIA as numbers. Bounded: depth 64, and a body that is not JSON is
/// TenantInvalidResponse.
/// </summary>
internal static class TenantJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static JsonNode? Parse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body, documentOptions: Options);
        }
        catch (JsonException ex)
        {
            throw new PkiException(PkiErrorIds.TenantInvalidResponse, PkiErrorCategory.InvalidResult,
                $"The Zscaler API answered with something that is not JSON ({ex.Message.Split('.')[0]}). Check -BaseUri: it must be the API's address.", null, ex);
        }
    }

    public static JsonNode? Parse(string text) => Parse(System.Text.Encoding.UTF8.GetBytes(text));

    public static string? String(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    public static long? Long(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static bool Bool(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => string.Equals(s, "true", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>Seconds since 1970 as an instant; 0 or absent is none.</summary>
    public static DateTimeOffset? Epoch(JsonObject o, string name) =>
        Long(o, name) is { } s && s > 0 && s < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    public static JsonObject Object(JsonNode? node, string what) => node as JsonObject
        ?? throw new PkiException(PkiErrorIds.TenantInvalidResponse, PkiErrorCategory.InvalidResult,
            $"The Zscaler API answered {what} with {(node is null ? "nothing" : node.GetValueKind().ToString())} where an object was expected. Check -BaseUri.", null);

    public static JsonArray Array(JsonNode? node, string what) => node as JsonArray
        ?? throw new PkiException(PkiErrorIds.TenantInvalidResponse, PkiErrorCategory.InvalidResult,
            $"The Zscaler API answered {what} with {(node is null ? "nothing" : node.GetValueKind().ToString())} where a list was expected. Check -BaseUri.", null);
}
