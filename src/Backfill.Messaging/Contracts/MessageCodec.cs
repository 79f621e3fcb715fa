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
            throw new MalformedMessageException($"not a valid {typeof(T).Name}: {e.Message}", e);
        }

        if (message is null)
        {
            throw new MalformedMessageException($"not a valid {typeof(T).Name}: null");
        }

        if (message.V != T.Version)
        {
            throw new MalformedMessageException($"{typeof(T).Name} version {message.V} is not supported (this build reads version {T.Version}).");
        }

        if (message.Problem() is { } problem)
        {
            throw new MalformedMessageException($"not a valid {typeof(T).Name}: {problem}");
        }

        return message;
    }
}
