using Backfill.Core.Jobs;
using Backfill.Core.Release;
using System.Text.Json;

namespace Backfill.Server.Jobs;

/// <summary>What a retry or settings body says, or in plain words what is wrong with it (as <see cref="JobRequestReader"/> does for new jobs).</summary>
/// <param name="Unreadable">Set when the body is not a JSON object at all.</param>
/// <param name="Errors">Member name → what is wrong with it.</param>
internal sealed record ControlReading<T>(T? Value, string? Unreadable, IReadOnlyDictionary<string, string[]> Errors)
    where T : class;

/// <summary>Reads the small bodies of the job commands; a misspelt member is refused rather than ignored.</summary>
internal static class ControlBodyReader
{
    public const string RetryExample = """{"slice": "demo-20240501-20240508-1a2b3c/10001/20240503"}""";
    public const string SettingsExample = """{"releaseEvery": "00:10:00", "slicesPerRelease": 2}""";

    /// <summary>An empty body retries every failed slice.</summary>
    public static ControlReading<RetryRequest> ReadRetry(ReadOnlyMemory<byte> body) =>
        Read(body, ["slice", "force"], emptyIsObject: true, RetryExample, (values, error) =>
        {
            var request = new RetryRequest();
            if (values.TryGetValue("slice", out var slice))
            {
                if (slice.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(slice.GetString()))
                {
                    request = request with { Slice = slice.GetString()!.Trim() };
                }
                else
                {
                    error("slice", $"slice must be a slice id as 'GET /api/jobs/{{id}}/slices?state=failed' lists them (got {slice.GetRawText()}).");
                }
            }

            if (values.TryGetValue("force", out var force))
            {
                if (force.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    request = request with { Force = force.GetBoolean() };
                }
                else
                {
                    error("force", $"force must be true (re-run succeeded slices too) or false (got {force.GetRawText()}).");
                }
            }

            return request;
        });

    public static ControlReading<JobSettingsRequest> ReadSettings(ReadOnlyMemory<byte> body) =>
        Read(body, ["releaseEvery", "slicesPerRelease", "priority"], emptyIsObject: false, SettingsExample, (values, error) =>
        {
            var releaseEvery = JobRequestReader.ReadSpan(values, "releaseEvery", error) is { } every ? ReleaseCadence.Format(every) : null;
            var priority = values.ContainsKey("priority") ? JobPriorityNames.Name(JobRequestReader.ReadPriority(values, error)) : null;
            int? slicesPerRelease = null;

            if (values.TryGetValue("slicesPerRelease", out var count))
            {
                if (count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out var n) && n >= 1)
                {
                    slicesPerRelease = n;
                }
                else
                {
                    error("slicesPerRelease", $"slicesPerRelease must be a whole number of slices, at least 1 (got {count.GetRawText()}).");
                }
            }

            if (values.Count == 0)
            {
                error("settings", $"Give releaseEvery, slicesPerRelease, priority or several, e.g. {SettingsExample}.");
            }

            return new JobSettingsRequest { ReleaseEvery = releaseEvery, SlicesPerRelease = slicesPerRelease, Priority = priority };
        });

    private static ControlReading<T> Read<T>(
        ReadOnlyMemory<byte> body, string[] members, bool emptyIsObject, string example, Func<Dictionary<string, JsonElement>, Action<string, string>, T?> read)
        where T : class
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            if (!emptyIsObject)
            {
                return new(null, $"The body is empty; send a JSON object such as {example}.", new Dictionary<string, string[]>());
            }

            using var empty = JsonDocument.Parse("{}");
            return Members(empty.RootElement, members, read);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new(null, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send an object such as {example}.", new Dictionary<string, string[]>());
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Members(document.RootElement, members, read)
                : new(null, $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; send an object such as {example}.", new Dictionary<string, string[]>());
        }
    }

    private static ControlReading<T> Members<T>(JsonElement body, string[] members, Func<Dictionary<string, JsonElement>, Action<string, string>, T?> read)
        where T : class
    {
        var found = new BodyMembers(body, members, "here");
        var value = read(found.Values, found.Error);
        return found.HasErrors ? new(null, null, found.Errors) : new(value, null, new Dictionary<string, string[]>());
    }
}
