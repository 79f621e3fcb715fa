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
        var envelope = Check(platform, status, retryAfter, body, secrets);
        return TryParse(body, payload)?.Response
            ?? throw ShopeeErrorClassifier.Malformed(platform, status, envelope, "the answer's response is missing or incomplete");
    }

    /// <summary>
    /// The records of a successful answer's <c>response</c>, read by <paramref name="shape"/> from the answer as the platform
    /// sent it (null from it: the response is not what the endpoint promises, a transient <c>bad_response</c>).
    /// </summary>
    public static T ReadRecords<T>(
        string platform, int status, TimeSpan? retryAfter, string body, IEnumerable<string?> secrets, Func<JsonElement, T?> shape)
        where T : class
    {
        var envelope = Check(platform, status, retryAfter, body, secrets);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("response", out var response)
                && shape(response) is { } records)
            {
                return records;
            }
        }
        catch (JsonException)
        {
        }

        throw ShopeeErrorClassifier.Malformed(platform, status, envelope, "the answer's response is missing or incomplete");
    }

    /// <summary>A token refresh's answer, whose fields sit beside <c>error</c> rather than under <c>response</c>.</summary>
    public static AccessTokenResponse ReadAccessToken(string platform, int status, TimeSpan? retryAfter, string body, IEnumerable<string?> secrets)
    {
        var envelope = Check(platform, status, retryAfter, body, secrets);
        return TryParse(body, ShopeeJsonContext.Default.AccessTokenResponse) is { AccessToken.Length: > 0, RefreshToken.Length: > 0, ExpireIn: > 0 } answer
            ? answer
            : throw ShopeeErrorClassifier.Malformed(platform, status, envelope, "the answer has no access_token, refresh_token and expire_in");
    }

    /// <summary>The answer's error fields, its secrets scrubbed; throws the failure they stand for.</summary>
    private static ShopeeErrorEnvelope? Check(string platform, int status, TimeSpan? retryAfter, string body, IEnumerable<string?> secrets)
    {
        var envelope = TryParse(body, ShopeeJsonContext.Default.ShopeeErrorEnvelope);
        if (envelope?.Message is { } message)
        {
            envelope = envelope with { Message = Secrets.Scrub(message, secrets) };
        }

        return ShopeeErrorClassifier.Classify(platform, status, retryAfter, envelope) is { } failure ? throw failure : envelope;
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
