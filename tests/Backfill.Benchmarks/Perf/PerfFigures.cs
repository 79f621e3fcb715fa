using System.Text.Json;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// As the reliability suite's ScenarioFigures: a row's figures as one <c>figures ID: {json}</c> line on stderr and, when
/// <c>BACKFILL_FIGURES</c> names a folder, <c>{id}.json</c> in it, for <c>docs/performance.md</c> (P5 is incident R7).
/// </summary>
internal static class PerfFigures
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Record(PerfRow row)
    {
        var text = JsonSerializer.Serialize(new { row.Id, row.Product, row.Reference, row.Ratio, row.Target, row.Met, row.Figures }, Json);
        Benchmarks.Progress.Line($"figures {row.Id}: {text}");
        var folder = Environment.GetEnvironmentVariable("BACKFILL_FIGURES");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{row.Id}.json"), text);
        }
    }
}
