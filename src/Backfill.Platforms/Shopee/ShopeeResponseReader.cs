using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Shopee;

/// <summary>Turns a raw answer into its payload or the <see cref="PlatformException"/> it stands for.</summary>
internal static class ShopeeResponseReader
{
    /// <param name="platform">The platform name, for the exception.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="retryAfter">The Retry-After header, when present.</param>
    /// <param name="body">The answer's body.</param>
    /// <param name="payload">How to read the expected payload.</param>
    /// <param name="secrets">Values masked out of the platform's message in case it echoes one.</param>
    public static T Read<T>(
        string platform, int status, TimeSpan? retryAfter, string body, JsonTypeInfo<ShopeeEnvelope<T>> payload, IEnumerable<string?> secrets)
        where T : class
    {
        var envelope = TryParse(body, ShopeeJsonContext.Default.ShopeeErrorEnvelope);
        if (envelope?.Message is { } message)
        {
            envelope = envelope with { Message = Secrets.Scrub(message, secrets) };
        }

        if (ShopeeErrorClassifier.Classify(platform, status, retryAfter, envelope) is { } failure)
        {
            throw failure;
        }

        return TryParse(body, payload)?.Response
            ?? throw ShopeeErrorClassifier.Malformed(platform, status, envelope, "the answer's response is missing or incomplete");
    }

    private static TValue? TryParse<TValue>(string body, JsonTypeInfo<TValue> type)
        where TValue : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
