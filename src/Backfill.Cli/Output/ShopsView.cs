using Backfill.Scheduling.Shops;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>Shops as one table, then a line per warning. Never a token: the views hold none.</summary>
internal static class ShopsView
{
    private const int RedirectedWidth = 160;

    public static void Write(TextWriter writer, IReadOnlyList<ShopView> shops)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });

        // Redirected output has no width of its own (Spectre assumes 80): one shop a line is what a reader or grep wants.
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, RedirectedWidth);
        }

        if (shops.Count == 0)
        {
            console.WriteLine("no shops");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("platform", "shop", "name", "state", "origin", "access token", "refresh token", "last refresh");
        table.AddColumn(new TableColumn("version").RightAligned());
        foreach (var shop in shops)
        {
            table.AddRow(
                Markup.Escape(shop.Platform),
                Markup.Escape(shop.Shop),
                Markup.Escape(shop.Name ?? ""),
                State(shop.State),
                Markup.Escape(shop.Origin),
                Markup.Escape(Left(shop.AccessSecondsLeft)),
                Markup.Escape(shop.HasRefreshToken ? Left(shop.RefreshSecondsLeft) : "none"),
                Markup.Escape(shop.LastRefreshAt is { } at ? $"{(shop.LastRefreshFailed ? "failed" : "ok")} {ShopWarnings.Time(at)}" : "—"),
                $"{shop.TokenVersion}");
        }

        console.Write(table);
        Warnings(writer, shops);
    }

    /// <summary>A <c>warning:</c> line per warning of each shop.</summary>
    public static void Warnings(TextWriter writer, IEnumerable<ShopView> shops)
    {
        foreach (var shop in shops)
        {
            foreach (var warning in shop.Warnings)
            {
                writer.WriteLine($"warning: shop {shop.Platform}/{shop.Shop}: {warning}");
            }
        }
    }

    private static string State(string state) => state switch
    {
        "active" => "[green]active[/]",
        "needs-authorization" => "[red]needs-authorization[/]",
        var other => Markup.Escape(other),
    };

    private static string Left(long? seconds) => seconds switch
    {
        null => "—",
        > 0 and var s => $"{ShopWarnings.Span(TimeSpan.FromSeconds(s))} left",
        var s => $"expired {ShopWarnings.Span(TimeSpan.FromSeconds(-s.Value))} ago",
    };
}
