using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Server.Platforms;

/// <summary>
/// The body of <c>POST /api/platforms/{name}/limit</c>: a new limit, a new safety margin, or both; a member given as null
/// goes back to the configured value and a member left out stays as it is.
/// </summary>
public sealed record SetLimitRequest
{
    [Description("a number greater than 0, calls per second for the whole fleet, or null to go back to the configured limit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Resettable? PermitsPerSecond { get; init; }

    [Description("a number at least 0 and less than 1, the share of the limits kept for the partner key's other clients, or null to go back to the configured margin")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Resettable? SafetyMargin { get; init; }

    [Description("true (allow a limit above the configured one) or false")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Force { get; init; }
}

/// <summary>A number, or JSON null for "back to the configured value" (which a member left out does not mean).</summary>
[JsonConverter(typeof(ResettableConverter))]
public sealed record Resettable(double? Value);

internal sealed class ResettableConverter : JsonConverter<Resettable>
{
    public override bool HandleNull => true;

    public override Resettable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => new Resettable(null),
        JsonTokenType.Number => new Resettable(reader.GetDouble()),
        _ => throw new JsonException("not a number or null"),
    };

    public override void Write(Utf8JsonWriter writer, Resettable value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value?.Value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
