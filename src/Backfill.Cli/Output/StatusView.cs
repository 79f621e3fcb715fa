using Backfill.Core.Release;
using Backfill.Server.Jobs;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>A job's status as two lines and a narrow table (it fits the 80 columns of a redirected console).</summary>
internal static class StatusView
{
    /// <summary>A job's state as markup: green when it succeeded, red when it failed.</summary>
    public static string State(string state) => state switch
    {
        "succeeded" => "[green]succeeded[/]",
        "failed" => "[red]failed[/]",
        var other => Markup.Escape(other),
    };

    /// <summary>A job's cadence in words: auto, or N slice(s) of each shop every period.</summary>
    public static string Cadence(JobStatus status) =>
        status.ReleaseEvery == ReleaseCadence.AutoName
            ? "released whenever the platform has room (auto)"
            : $"{status.SlicesPerRelease} slice(s) of each shop released every {status.ReleaseEvery}";

    public static void Write(TextWriter writer, JobStatus status)
    {
        // A console of its own over the given writer, so the output goes where the caller says (tests capture it).
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        console.MarkupLine($"[bold]{Markup.Escape(status.Job)}[/]: {State(status.State)}");
        console.MarkupLine(Markup.Escape($"{status.Platform}, shops {string.Join(", ", status.Shops)}, days [{status.From:yyyy-MM-dd}, {status.To:yyyy-MM-dd}) by {status.TimeField ?? "the platform's time field"}; data {string.Join(",", status.Data)}; {Cadence(status)}, priority {status.Priority}"));
        var s = status.Slices;
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("slices");
        table.AddColumn(new TableColumn("").RightAligned());
        table.AddRow("pending", $"{s.Pending}");
        table.AddRow("released", $"{s.Released}");
        table.AddRow("running", $"{s.Running}");
        table.AddRow("[green]succeeded[/]", $"{s.Succeeded}");
        table.AddRow("[red]failed[/]", $"{s.Failed}");
        table.AddRow("cancelled", $"{s.Cancelled}");
        table.AddRow("[bold]total[/]", $"[bold]{s.Total}[/]");
        console.Write(table);
        console.MarkupLine($"orders: {status.Orders.Emitted} emitted, {status.Orders.Saved} saved");
        foreach (var data in status.Datasets)
        {
            console.MarkupLine(Markup.Escape($"{data.Data}: {data.Calls} calls, {data.Records} records emitted, {data.Saved} saved"));
        }

        if (JobProgress.Saving(status))
        {
            console.MarkupLine("[yellow]" + Markup.Escape("saving: the sink has not saved all the job's orders yet") + "[/]");
        }

        if (status.Orders.Lost > 0)
        {
            console.MarkupLine("[red]" + Markup.Escape(JobProgress.LostWarning(status.Job, status.Orders.Lost)) + "[/]");
        }

        if (status.SlicesPrunedAt is { } pruned)
        {
            console.MarkupLine(Markup.Escape($"slices deleted {pruned:yyyy-MM-dd} (Backfill:KeepFinishedJobs): the counts are as the job finished; its orders stay in the sink"));
        }

        foreach (var warning in status.ShopWarnings ?? [])
        {
            console.MarkupLine("[yellow]" + Markup.Escape($"warning: {warning}") + "[/]");
        }

        foreach (var platform in status.Platforms)
        {
            var budget = $"{platform.Platform}: {platform.Throttles} throttle(s)"
                + (platform.LiveLimit is { } limit ? $", live limit {limit:0.###}/s" : "")
                + (platform.CoolOffUntil is { } until && until != platform.QuotaSpentUntil ? $", cooling off until {until:HH:mm:ss}" : "")
                + (platform.Hold is { } hold ? $", releases held: {hold}" : "");
            console.MarkupLine(Markup.Escape(budget));
            foreach (var line in QuotaLines.Of(platform))
            {
                console.MarkupLine(Markup.Escape(line));
            }

            if (platform.Lanes.Count > 0)
            {
                console.MarkupLine(Markup.Escape("lanes: " + string.Join(", ", platform.Lanes.Select(l => $"{l.Lane} {l.Rate:0.##}/s"))));
            }

            if (platform.Partitions.Count > 0)
            {
                console.MarkupLine(Markup.Escape("partitions (lane: partition, pages, lag): " + string.Join(", ", platform.Partitions.Select(p => $"{p.Lane}: {(p.Partition is { } n ? $"p{n}" : "p?")} {p.Pages} {(p.Lag is { } lag ? $"{lag}" : "?")}"))));
            }

            if (platform.WorkerCommitFailures > 0 || platform.WorkerEvictions > 0)
            {
                console.MarkupLine("[red]" + Markup.Escape($"alarm: workers report {platform.WorkerCommitFailures} failed offset commit(s) and {platform.WorkerEvictions} eviction(s): steps are being redone (R3)") + "[/]");
            }

            if (platform.Skew is { } skew)
            {
                console.MarkupLine("[yellow]" + Markup.Escape($"warning: skew: {skew}") + "[/]");
            }
        }
    }
}
