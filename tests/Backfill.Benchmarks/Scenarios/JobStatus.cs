using System.Text.Json;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>The fields of <c>status --json</c> (and of <c>run --json</c>) the benchmark reads.</summary>
internal sealed record JobStatus(string Job, string State, int Total, int Succeeded, int Failed, long? Emitted)
{
    public bool IsFinished => State is "succeeded" or "failed" or "cancelled";

    /// <summary>When the scheduler created the job (its own clock).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the scheduler saw its last slice finish (its own clock).</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Reads the last line that is a JSON object; null when there is none.</summary>
    public static JobStatus? FromOutput(IEnumerable<string> lines)
    {
        var json = lines.LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (json is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var slices = root.TryGetProperty("slices", out var s) ? s : default;
            var orders = root.TryGetProperty("orders", out var o) ? o : default;
            return new JobStatus(
                root.GetProperty("job").GetString() ?? "",
                root.TryGetProperty("state", out var state) ? state.GetString() ?? "" : "",
                Int(slices, "total"),
                Int(slices, "succeeded"),
                Int(slices, "failed"),
                Long(orders, "emitted"))
            {
                CreatedAt = Time(root, "createdAt"),
                FinishedAt = Time(root, "finishedAt"),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static long? Long(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static DateTimeOffset? Time(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var at) ? at : null;

    private static int Int(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value.GetInt32() : 0;
}
