using System.Globalization;
using Backfill.Server.Jobs;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>An estimate as a line, a per-shop table and the figures that decide the duration.</summary>
internal static class EstimateView
{
    public static void Write(TextWriter writer, JobEstimate estimate)
    {
        // Sentences go to the writer as they are: Spectre would wrap them at 80 columns when redirected.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        writer.WriteLine($"{estimate.Platform}, shops {string.Join(", ", estimate.Shops)}, days [{estimate.From:yyyy-MM-dd}, {estimate.To:yyyy-MM-dd}) (estimate only: nothing created)");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("shop");
        table.AddColumn(new TableColumn("slices").RightAligned());
        table.AddColumn(new TableColumn("calls/day").RightAligned());
        table.AddColumn("basis");
        foreach (var shop in estimate.PerShop)
        {
            table.AddRow(Markup.Escape(shop.Shop), $"{shop.Slices}", shop.CallsPerDay.ToString("0.##", CultureInfo.InvariantCulture), shop.Basis == JobEstimate.History ? "history" : "[yellow]default[/]");
        }

        console.Write(table);
        writer.WriteLine($"slices: {estimate.Slices}, expected calls: {estimate.ExpectedCalls} ({string.Join(", ", estimate.PerData.Select(d => $"{d.Dataset} {d.Calls}{(d.Basis == JobEstimate.History ? "" : " assumed")}"))}); {estimate.Dominant} makes the most");
        // The first of the largest: the release before the rate before a shop's limit before the quotas.
        var bound = new[]
        {
            (Seconds: estimate.ReleaseBoundSeconds, By: "the gradual release"),
            (Seconds: estimate.RateBoundSeconds, By: "the platform's rate limit"),
            (Seconds: estimate.ShopBoundSeconds, By: "the platform's per-shop limit"),
            (Seconds: estimate.QuotaBoundSeconds, By: "the platform's quotas"),
        }.MaxBy(b => b.Seconds).By;
        var shopBound = estimate.ShopBoundSeconds > 0 ? $", per-shop bound {Duration(estimate.ShopBoundSeconds)}" : "";
        var quotaBound = estimate.Quotas.Count > 0 ? $", quota bound {Duration(estimate.QuotaBoundSeconds)}" : "";
        writer.WriteLine($"expected duration: {Duration(estimate.ExpectedSeconds)}, set by {bound} (release bound {Duration(estimate.ReleaseBoundSeconds)}, rate bound {Duration(estimate.RateBoundSeconds)}{shopBound}{quotaBound})");
        foreach (var quota in estimate.Quotas)
        {
            writer.WriteLine($"quota of {quota.Calls} calls per {quota.Period.ToString("c", CultureInfo.InvariantCulture)}: {quota.Usable} for backfills per period, so {quota.Periods} period(s) for {estimate.ExpectedCalls} calls: at least {Duration(quota.BoundSeconds)}");
        }

        if (estimate.Basis != JobEstimate.History)
        {
            writer.WriteLine($"'default' assumes {DefaultCalls.OrdersPerDay.ToString(CultureInfo.InvariantCulture)} orders per shop-day for a shop with no earlier run of a dataset on {estimate.Platform}: orders ≈ pages + ⌈orders ÷ {DefaultCalls.DetailBatch}⌉, finance ≈ orders, returns ≈ pages.");
        }
    }

    /// <summary>A duration as people say it: 45 s, 12 min 5 s, 3 h 20 min, 2 d 4 h.</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalMinutes < 1 ? $"{t.Seconds} s"
            : t.TotalHours < 1 ? $"{t.Minutes} min {t.Seconds} s"
            : t.TotalDays < 1 ? $"{t.Hours} h {t.Minutes} min"
            : $"{(int)t.TotalDays} d {t.Hours} h";
    }
}
