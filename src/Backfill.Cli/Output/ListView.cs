using Backfill.Server.Jobs;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>Jobs as one table, newest first.</summary>
internal static class ListView
{
    private const int ShopsShown = 3;
    private const int RedirectedWidth = 160;

    public static void Write(TextWriter writer, JobList list)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });

        // Redirected output has no width of its own (Spectre assumes 80): one job a line is what a reader or grep wants.
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, RedirectedWidth);
        }

        if (list.Jobs.Count == 0)
        {
            console.WriteLine("no jobs");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("job").NoWrap());
        table.AddColumns("source", "platform", "shops", "range", "state");
        table.AddColumn(new TableColumn("progress").RightAligned());
        table.AddColumn(new TableColumn("orders").RightAligned());
        foreach (var job in list.Jobs)
        {
            var shops = string.Join(", ", job.Shops.Take(ShopsShown)) + (job.Shops.Count > ShopsShown ? $" +{job.Shops.Count - ShopsShown}" : "");
            table.AddRow(
                Markup.Escape(job.Job),
                Markup.Escape(job.Source),
                Markup.Escape(job.Platform),
                Markup.Escape(shops),
                $"{job.From:yyyy-MM-dd} … {job.To:yyyy-MM-dd}",
                StatusView.State(job.State),
                $"{JobProgress.Percent(job.Slices)}%",
                $"{job.Orders.Emitted}");
        }

        console.Write(table);
    }
}
