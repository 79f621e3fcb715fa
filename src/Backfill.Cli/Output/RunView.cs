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
        var summary = (await RunAllAsync(configuration, [request], json, cancellationToken))[0];
        if (json)
        {
            Console.Out.WriteLine(summary.ToJson());
        }

        return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Runs the requests' jobs at the same time in one process with a live view (a row per job) and prints each one's summary.</summary>
    public static async Task<RunSummary[]> RunAllAsync(IConfiguration configuration, IReadOnlyList<RunRequest> requests, bool json, CancellationToken cancellationToken)
    {
        using var host = InProcessRun.BuildHost(configuration, logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            ProcessLogging.AddConsole(logging, configuration);
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        var interactive = !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

        // The jobs report from their own threads: the latest look at each is kept and shown under one lock.
        var gate = new Lock();
        var latest = new SortedDictionary<string, RunSnapshot>(StringComparer.Ordinal);
        RunSummary[] summaries;
        if (interactive)
        {
            summaries = await AnsiConsole.Live(Table([])).AutoClear(false).StartAsync(async live =>
                await InProcessRun.RunAsync(host, requests, s =>
                {
                    lock (gate)
                    {
                        latest[s.Job] = s;
                        live.UpdateTarget(Table(latest.Values));
                    }
                }, cancellationToken));
        }
        else
        {
            var printed = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            summaries = await InProcessRun.RunAsync(host, requests, s =>
            {
                lock (gate)
                {
                    if (!printed.TryGetValue(s.Job, out var last) || s.Elapsed - last >= TimeSpan.FromSeconds(2))
                    {
                        printed[s.Job] = s.Elapsed;
                        Console.Error.WriteLine(Line(s));
                    }
                }
            }, cancellationToken);
        }

        foreach (var summary in summaries)
        {
            Summary(summary, ExportHint(configuration, summary.Job));
        }

        return summaries;
    }

    private static string Line(RunSnapshot s) =>
        $"[{s.Elapsed:mm\\:ss}] {s.Job}: slices {s.Slices.Succeeded}/{s.Slices.Total} succeeded, {s.Slices.Running} running, {s.Slices.Released} released, {s.Slices.Pending} pending, {s.Slices.Failed} failed; orders {s.OrdersSaved} saved / {s.OrdersEmitted} emitted; calls {s.Calls}, throttled {s.Throttled}";

    private static Table Table(IReadOnlyCollection<RunSnapshot> jobs)
    {
        var several = jobs.Count > 1;
        var title = jobs.Count switch
        {
            0 => "starting…",
            1 => $"{jobs.First().Job} [grey]({jobs.First().State}, {jobs.First().Elapsed:mm\\:ss})[/]",
            _ => $"{jobs.Count} jobs [grey]({jobs.Max(s => s.Elapsed):mm\\:ss})[/]",
        };
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        if (several)
        {
            table.AddColumn("job");
        }

        table.AddColumns("pending", "released", "running", "[green]succeeded[/]", "[red]failed[/]", "orders saved", "emitted", "calls", "throttled");
        foreach (var s in jobs)
        {
            var c = s.Slices;
            string[] cells = [$"{c.Pending}", $"{c.Released}", $"{c.Running}", $"[green]{c.Succeeded}[/]/{c.Total}", c.Failed > 0 ? $"[red]{c.Failed}[/]" : "0",
                $"{s.OrdersSaved}", $"{s.OrdersEmitted}", $"{s.Calls}", s.Throttled > 0 ? $"[yellow]{s.Throttled}[/]" : "0"];
            table.AddRow(several ? [$"{s.Job} [grey]({s.State})[/]", .. cells] : cells);
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
        if (s.RecordsLost > 0)
        {
            Console.Error.WriteLine($"RECORDS LOST: {s.RecordsLost} record(s) left the data topics before the sink read them, where this job's lay; run it again with 'backfill retry {s.Job} --force'.");
        }
        else if (!s.OrdersAllSaved && s.State == Core.Jobs.JobState.Succeeded)
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
