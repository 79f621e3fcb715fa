using Backfill.Hosting;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>Runs a job in process with a live view (a table on a terminal, a line every few seconds otherwise) and prints the summary.</summary>
internal static class RunView
{
    public static async Task<int> RunAsync(IConfiguration configuration, RunRequest request, bool json, CancellationToken cancellationToken)
    {
        using var host = InProcessRun.BuildHost(configuration, logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning));
        var interactive = !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        RunSummary summary;
        if (interactive)
        {
            summary = await AnsiConsole.Live(Table(null)).AutoClear(false).StartAsync(async live =>
                await InProcessRun.RunAsync(host, request, s => live.UpdateTarget(Table(s)), cancellationToken));
        }
        else
        {
            TimeSpan? last = null;
            summary = await InProcessRun.RunAsync(host, request, s =>
            {
                if (last is null || s.Elapsed - last >= TimeSpan.FromSeconds(2))
                {
                    last = s.Elapsed;
                    Console.Error.WriteLine(Line(s));
                }
            }, cancellationToken);
        }

        Summary(summary, ExportHint(configuration, summary.Job));
        if (json)
        {
            Console.Out.WriteLine(summary.ToJson());
        }

        return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static string Line(RunSnapshot s) =>
        $"[{s.Elapsed:mm\\:ss}] {s.Job}: slices {s.Slices.Succeeded}/{s.Slices.Total} succeeded, {s.Slices.Running} running, {s.Slices.Released} released, {s.Slices.Pending} pending, {s.Slices.Failed} failed; orders {s.OrdersSaved} saved / {s.OrdersEmitted} emitted; calls {s.Calls}, throttled {s.Throttled}";

    private static Table Table(RunSnapshot? s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(s is null ? "starting…" : $"{s.Job} [grey]({s.State}, {s.Elapsed:mm\\:ss})[/]");
        table.AddColumns("pending", "released", "running", "[green]succeeded[/]", "[red]failed[/]", "orders saved", "emitted", "calls", "throttled");
        if (s is not null)
        {
            var c = s.Slices;
            table.AddRow($"{c.Pending}", $"{c.Released}", $"{c.Running}", $"[green]{c.Succeeded}[/]/{c.Total}", c.Failed > 0 ? $"[red]{c.Failed}[/]" : "0",
                $"{s.OrdersSaved}", $"{s.OrdersEmitted}", $"{s.Calls}", s.Throttled > 0 ? $"[yellow]{s.Throttled}[/]" : "0");
        }

        return table;
    }

    /// <summary>The export command that finds this run's data: its data directory named when it is not the default one.</summary>
    private static string ExportHint(IConfiguration configuration, string job)
    {
        var directory = configuration["Backfill:DataDirectory"];
        var named = directory is null || Path.GetFullPath(directory) == Path.GetFullPath(new BackfillOptions().DataDirectory) ? "" : $" --Backfill:DataDirectory={directory}";
        return $"backfill export {job} --data …{named}";
    }

    private static void Summary(RunSummary s, string exportHint)
    {
        var expected = s.OrdersExpected is { } e ? $" (expected {e})" : "";
        Console.Error.WriteLine();
        Console.Error.WriteLine($"Job {s.Job} {s.State.ToString().ToLowerInvariant()} in {s.Elapsed.TotalSeconds:F1} s: {s.Slices.Succeeded}/{s.Slices.Total} slices succeeded, {s.Slices.Failed} failed.");
        Console.Error.WriteLine($"Orders: {s.OrdersUnique} unique saved{expected}, {s.OrdersEmitted} emitted, {s.DuplicatesAbsorbed} duplicates absorbed by the sink.");
        Console.Error.WriteLine($"Records saved per dataset: {string.Join(", ", s.Records.Select(r => s.RecordsExpected?.TryGetValue(r.Key, out var e) is true ? $"{r.Key} {r.Value} (expected {e})" : $"{r.Key} {r.Value}"))} (export them with '{exportHint}').");
        if (!s.OrdersAllSaved && s.State == Core.Jobs.JobState.Succeeded)
        {
            Console.Error.WriteLine("NOT DONE: the sink had not saved every order of the job when the run gave up waiting for it.");
        }
        Console.Error.WriteLine($"Platform: {s.Calls} calls, {s.Throttled} throttled. Kafka: {s.CommitFailures} commit failures, {s.DeadLettered} dead-lettered.");
        foreach (var failure in s.Failures)
        {
            Console.Error.WriteLine($"  FAILED {failure.Slice}: {failure.Error}");
        }
    }
}
