using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>JSON encoding of the contracts; decoding is strict about what is required and about the version.</summary>
public static class MessageCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Messages are read by programs, never put in a page: a platform record's text (a shop's product names in
        // Chinese, say) travels as the platform wrote it rather than as \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Encode<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <exception cref="MalformedMessageException">Not JSON, a missing required field, or an unknown version.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> bytes)
        where T : class, IMessage
    {
        T? message;
        try
        {
            message = JsonSerializer.Deserialize<T>(bytes, Options);
        }
        catch (JsonException e)
        {
            // A message of another version may lack what this one requires: say which version it is, not what it lacks.
            throw PeekVersion(bytes) is { } v && Unsupported<T>(v) is { } version
                ? new MalformedMessageException(version, e)
                : new MalformedMessageException($"not a valid {typeof(T).Name}: {e.Message}", e);
        }

        if (message is null)
        {
            throw new MalformedMessageException($"not a valid {typeof(T).Name}: null");
        }

        if (Unsupported<T>(message.V) is { } unsupported)
        {
            throw new MalformedMessageException(unsupported);
        }

        if (message.Problem() is { } problem)
        {
            throw new MalformedMessageException($"not a valid {typeof(T).Name}: {problem}");
        }

        return message;
    }

    private static string? Unsupported<T>(int v)
        where T : class, IMessage
    {
        if (v <= T.Version && v >= (T.OldestVersion ?? T.Version))
        {
            return null;
        }

        var reads = T.OldestVersion is { } oldest && oldest < T.Version ? $"versions {oldest} to {T.Version}" : $"version {T.Version}";
        return $"{typeof(T).Name} version {v} is not supported (this build reads {reads}).";
    }

    /// <summary>The top-level <c>v</c> of a JSON object, or null when there is none to read.</summary>
    private static int? PeekVersion(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = reader.ValueTextEquals("v"u8);
                reader.Read();
                if (isVersion)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
