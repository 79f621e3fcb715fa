using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Server.Api;

/// <summary>Names as an array of strings, or one string (which may itself be a comma list, as the CLI takes them).</summary>
internal sealed class NamesConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [reader.GetString()!];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("not names");
        }

        var names = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            names.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("not a name"));
        }

        return names;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToArray(), options);
}
