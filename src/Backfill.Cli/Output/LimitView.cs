using System.Globalization;
using Backfill.Server.Platforms;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>Platforms' limits as a narrow table (what the fleet keeps now, what is configured, the safety margin, lanes, throttles), then how each counts calls and limits a shop.</summary>
internal static class LimitView
{
    public static void Write(TextWriter writer, IReadOnlyList<PlatformView> platforms)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("platform");
        table.AddColumn(new TableColumn("limit/s").RightAligned());
        table.AddColumn(new TableColumn("configured/s").RightAligned());
        table.AddColumn(new TableColumn("margin").RightAligned());
        table.AddColumn(new TableColumn("lanes").RightAligned());
        table.AddColumn(new TableColumn("throttles").RightAligned());
        foreach (var p in platforms)
        {
            var limit = Figure(p.PermitsPerSecond) + (p.Live ? " (live)" : "");
            var margin = Figure(p.SafetyMargin) + (p.LiveMargin ? " (live)" : "");
            table.AddRow(Markup.Escape(p.Platform), Markup.Escape(limit), Figure(p.ConfiguredPermitsPerSecond), Markup.Escape(margin), $"{p.Lanes}", $"{p.Budget.Throttles}");
        }

        console.Write(table);
        foreach (var p in platforms)
        {
            console.MarkupLine(Markup.Escape(Counting(p)));
        }

        foreach (var line in platforms.SelectMany(p => QuotaLines.Of(p.Budget)))
        {
            console.MarkupLine(Markup.Escape(line));
        }
    }

    /// <summary>How the platform counts calls and what one shop may make, as configured.</summary>
    public static string Counting(PlatformView platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var counted = platform.Counting == "Arrival" ? $"on arrival (jitter {Figure(platform.ArrivalJitterMilliseconds)} ms)" : "strict, until one window after the answer";
        var perShop = platform.PerShopPermitsPerSecond is { } s ? $"; each shop at most {Figure(s)}/s" : "";
        return $"{platform.Platform}: calls counted {counted}{perShop}";
    }

    private static string Figure(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
