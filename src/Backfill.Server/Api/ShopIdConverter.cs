using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Server.Api;

/// <summary>
/// A shop id as sent: a string (trimmed, not empty) or, since shop ids are numbers on the platforms, a whole JSON number
/// taken as written. Anything else is refused.
/// </summary>
internal sealed class ShopIdConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Id(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    internal static string Id(ref Utf8JsonReader reader)
    {
        var id = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!.Trim(),
            JsonTokenType.Number when reader.TryGetInt64(out var number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
        return id.Length > 0 ? id : throw new JsonException("not a shop id");
    }
}

/// <summary>An array of shop ids, each read as <see cref="ShopIdConverter"/> reads one.</summary>
internal sealed class ShopIdsConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("not an array");
        }

        var ids = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ids.Add(ShopIdConverter.Id(ref reader));
        }

        return ids;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        foreach (var id in value)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
    }
}
