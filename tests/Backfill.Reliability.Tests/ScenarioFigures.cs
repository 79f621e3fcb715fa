using System.Text.Json;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests;

/// <summary>
/// Where a scenario leaves the figures that <c>docs/reliability.md</c> quotes: one line on the test's output, and,
/// when <c>BACKFILL_FIGURES</c> names a folder, <c>{scenario}.json</c> in it
/// (<c>BACKFILL_FIGURES=$PWD/artifacts/reliability dotnet test tests/Backfill.Reliability.Tests</c>).
/// </summary>
internal static class ScenarioFigures
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Record(ITestOutputHelper output, string scenario, object figures)
    {
        var text = JsonSerializer.Serialize(figures, Json);
        output.WriteLine($"figures {scenario}: {text}");
        var folder = Environment.GetEnvironmentVariable("BACKFILL_FIGURES");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{scenario}.json"), text);
        }
    }
}
