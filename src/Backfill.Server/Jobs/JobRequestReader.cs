using Backfill.Core.Jobs;
using Backfill.Core.Release;
using System.Globalization;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Core.Slicing;

namespace Backfill.Server.Jobs;

/// <summary>What a <c>POST /api/jobs</c> body says: a <see cref="JobAsk"/>, or in plain words what is wrong with it.</summary>
/// <param name="Unreadable">Set when the body is not a JSON object at all.</param>
/// <param name="Errors">Member name → what is wrong with it, when the body is an object.</param>
internal sealed record JobRequestReading(JobAsk? Ask, string? Unreadable, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>
/// Reads the body by hand rather than through model binding, so every mistake is named in the request's own
/// terms (never a .NET type name or a stack trace), and a misspelt member is refused instead of ignored.
/// </summary>
internal static class JobRequestReader
{
    public const string Example = """{"platform": "demo", "shops": ["10001"], "from": "2024-05-01", "to": "2024-05-08"}""";

    private static readonly string[] Members = ["platform", "shops", "from", "to", "days", "releaseEvery", "slicesPerRelease", "priority", "dryRun", "allowOverlap", "data", "timeField"];

    public static JobRequestReading Read(ReadOnlyMemory<byte> body, IReadOnlyCollection<string> platforms)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Unreadable($"The body is empty; send a JSON object such as {Example}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Unreadable($"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send an object such as {Example}.");
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Read(document.RootElement, platforms)
                : Unreadable($"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; send an object such as {Example}.");
        }
    }

    private static JobRequestReading Read(JsonElement body, IReadOnlyCollection<string> platforms)
    {
        var found = new BodyMembers(body, Members, "of a job request");
        var values = found.Values;

        var platform = ReadPlatform(values.GetValueOrDefault("platform"), platforms, found.Error);
        var shops = ReadShops(values.GetValueOrDefault("shops"), found.Error);
        var from = ReadDay(values, "from", found.Error);
        var to = ReadDay(values, "to", found.Error);
        var days = ReadInt(values, "days", 1, Slicer.MaxDays, "a whole number of days", found.Error);
        var releaseEvery = ReadSpan(values, "releaseEvery", found.Error);
        var slicesPerRelease = ReadInt(values, "slicesPerRelease", 1, int.MaxValue, "a whole number of slices", found.Error);
        var priority = ReadPriority(values, found.Error);
        var dryRun = ReadBool(values, "dryRun", found.Error);
        var allowOverlap = ReadBool(values, "allowOverlap", found.Error);
        var data = ReadData(values, found.Error);
        var timeField = ReadTimeField(values, found.Error);

        var hasRange = values.ContainsKey("from") || values.ContainsKey("to");
        var hasDays = values.ContainsKey("days");
        if (hasRange && hasDays)
        {
            found.Error("range", "Give either from and to, or days, not both.");
        }
        else if (!hasRange && !hasDays)
        {
            found.Error("range", "Give either from and to (YYYY-MM-DD, to exclusive), or days (the N whole days before today).");
        }
        else if (hasRange && !(values.ContainsKey("from") && values.ContainsKey("to")))
        {
            found.Error(values.ContainsKey("from") ? "to" : "from", "from and to go together.");
        }

        if (found.HasErrors)
        {
            return new JobRequestReading(null, null, found.Errors);
        }

        return new JobRequestReading(new JobAsk(platform!, shops!, from, to, days, releaseEvery, slicesPerRelease, dryRun, allowOverlap) { Data = data, TimeField = timeField, Priority = priority }, null, new Dictionary<string, string[]>());
    }

    private static string? ReadPlatform(JsonElement value, IReadOnlyCollection<string> platforms, Action<string, string> error)
    {
        var known = platforms.Count == 0 ? "(none)" : string.Join(", ", platforms);
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            error("platform", $"platform is required: the name of a platform configured under Platforms: (configured: {known}).");
            return null;
        }

        var name = value.GetString()!.Trim();
        var match = platforms.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            error("platform", $"Unknown platform '{name}'. Configured platforms: {known}.");
        }

        return match;
    }

    private static List<string>? ReadShops(JsonElement value, Action<string, string> error)
    {
        const string Expected = "shops must be a non-empty array of shop ids, e.g. [\"10001\", \"10002\"].";
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            error("shops", Expected);
            return null;
        }

        var shops = new List<string>();
        foreach (var shop in value.EnumerateArray())
        {
            // Shop ids are numbers on the platforms, so a bare JSON number is taken as written.
            var id = shop.ValueKind switch
            {
                JsonValueKind.String => shop.GetString()!.Trim(),
                JsonValueKind.Number when shop.TryGetInt64(out _) => shop.GetRawText(),
                _ => "",
            };
            if (id.Length == 0)
            {
                error("shops", $"{Expected} {shop.GetRawText()} is not a shop id.");
                return null;
            }

            shops.Add(id);
        }

        return shops;
    }

    /// <summary><c>"data"</c>: an array of dataset names (or one comma list as a string); orders when absent.</summary>
    private static Datasets ReadData(Dictionary<string, JsonElement> values, Action<string, string> error)
    {
        if (!values.TryGetValue("data", out var value))
        {
            return DatasetNames.Default;
        }

        var names = value.ValueKind switch
        {
            JsonValueKind.Array when value.EnumerateArray().All(n => n.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(n => n.GetString()!).ToList(),
            JsonValueKind.String => [value.GetString()!],
            _ => null,
        };
        if (names is null)
        {
            error("data", $"data must be an array of dataset names, e.g. [\"orders\", \"finance\"] (got {value.GetRawText()}).");
            return DatasetNames.Default;
        }

        try
        {
            return DatasetNames.Parse(names);
        }
        catch (FormatException e)
        {
            error("data", e.Message);
            return DatasetNames.Default;
        }
    }

    /// <summary><c>"timeField"</c>: <c>create_time</c> or <c>update_time</c>; the platform's configured one when absent.</summary>
    private static string? ReadTimeField(Dictionary<string, JsonElement> values, Action<string, string> error)
    {
        if (!values.TryGetValue("timeField", out var value))
        {
            return null;
        }

        var field = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : value.GetRawText();
        if (TimeFields.Problem(field) is { } problem)
        {
            error("timeField", problem);
            return null;
        }

        return field;
    }

    private static DateOnly? ReadDay(Dictionary<string, JsonElement> values, string member, Action<string, string> error)
    {
        if (!values.TryGetValue(member, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        error(member, $"{member} {value.GetRawText()} is not a date; use \"YYYY-MM-DD\".");
        return null;
    }

    private static int? ReadInt(Dictionary<string, JsonElement> values, string member, int min, int max, string what, Action<string, string> error)
    {
        if (!values.TryGetValue(member, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max)
        {
            return n;
        }

        error(member, max == int.MaxValue
            ? $"{member} must be {what}, at least {min} (got {value.GetRawText()})."
            : $"{member} must be {what} from {min} to {max} (got {value.GetRawText()}).");
        return null;
    }

    /// <summary>A cadence member: <c>"HH:MM:SS"</c> or <c>"auto"</c> (<see cref="ReleaseCadence"/>); also read by the settings body.</summary>
    internal static TimeSpan? ReadSpan(Dictionary<string, JsonElement> values, string member, Action<string, string> error)
    {
        if (!values.TryGetValue(member, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && ReleaseCadence.TryParse(value.GetString(), out var every, out _))
        {
            return every;
        }

        error(member, $"{member} must be \"auto\" or a positive time span \"HH:MM:SS\", e.g. \"00:05:00\" (got {value.GetRawText()}).");
        return null;
    }

    /// <summary>A priority member: <c>"high"</c>, <c>"normal"</c> or <c>"low"</c>; also read by the settings body.</summary>
    internal static JobPriority ReadPriority(Dictionary<string, JsonElement> values, Action<string, string> error)
    {
        if (!values.TryGetValue("priority", out var value))
        {
            return JobPriority.Normal;
        }

        if (value.ValueKind == JsonValueKind.String && JobPriorityNames.TryParse(value.GetString(), out var priority))
        {
            return priority;
        }

        error("priority", $"priority must be {JobPriorityNames.Expected} (got {value.GetRawText()}).");
        return JobPriority.Normal;
    }

    private static bool ReadBool(Dictionary<string, JsonElement> values, string member, Action<string, string> error)
    {
        if (!values.TryGetValue(member, out var value))
        {
            return false;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        error(member, $"{member} must be true or false (got {value.GetRawText()}).");
        return false;
    }

    private static JobRequestReading Unreadable(string detail) => new(null, detail, new Dictionary<string, string[]>());
}
