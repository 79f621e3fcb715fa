using System.CommandLine;
using Backfill.Benchmarks.Product;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// <c>perf</c>: every row of docs/performance.md, each a ratio to its reference measured in the same run, so a busy machine moves
/// both sides alike. Self-contained: its own mock cluster, temp files removed at the end. Exit 0 when every target is
/// met, 1 otherwise.
/// </summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var defaults = new PerfOptions();
        var slices = new Option<int>("--slices") { Description = "P3: slices to plan and persist (500 shops × slices/500 days).", DefaultValueFactory = _ => defaults.Slices };
        var jobs = new Option<int>("--jobs") { Description = "P3: jobs stored for the list of jobs.", DefaultValueFactory = _ => defaults.Jobs };
        var actions = new Option<int>("--actions") { Description = "P4: action messages through the worker pipeline and the raw loop.", DefaultValueFactory = _ => defaults.PipelineActions };
        var steady = new Option<int>("--steady-actions") { Description = "P5: action messages through one worker.", DefaultValueFactory = _ => defaults.SteadyActions };
        var orders = new Option<int>("--orders") { Description = "P6: orders upserted by the sink (and one in ten again).", DefaultValueFactory = _ => defaults.Orders };
        var withFleet = new Option<bool>("--with-fleet") { Description = "Also P2 and P2f: the fleet scenario with 2 workers, orders and then orders with finance (minutes; builds src/Backfill.Cli)." };
        var fleetSeconds = new Option<int>("--fleet-calls-seconds") { Description = "P2: size the job for this many seconds of calls at R.", DefaultValueFactory = _ => 180 };
        var only = new Option<string[]>("--only") { Description = "Only these rows, comma-separated: P2,P2f,P3,P4,P5,P6.", CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))] };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line of stdout." };
        var set = new Option<string[]>("--set") { Description = "Section:Key=value for the worker of P4 and P5; repeatable.", AllowMultipleArgumentsPerToken = false };
        var latency = BenchmarkCommandLine.LatencyOption();
        var counting = BenchmarkCommandLine.CountingOption();
        latency.Description = "P2, P2f: " + latency.Description;
        counting.Description = "P2, P2f: " + counting.Description;
        var command = new Command("perf", "The performance rows P2–P6: the product against its raw reference, in one run.") { slices, jobs, actions, steady, orders, withFleet, fleetSeconds, only, json, set, latency, counting };
        command.Validators.Add(r =>
        {
            foreach (var option in new[] { slices, jobs, actions, steady, orders, fleetSeconds })
            {
                if (r.GetResult(option) is { } result && result.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"{option.Name} must be at least 1.");
                }
            }

            foreach (var pair in r.GetResult(set)?.GetValueOrDefault<string[]>() ?? [])
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) < 1)
                {
                    r.AddError($"--set '{pair}' is not Section:Key=value.");
                }
            }

            foreach (var id in r.GetResult(only)?.GetValueOrDefault<string[]>() ?? [])
            {
                if (id.ToUpperInvariant() is not ("P2" or "P2F" or "P3" or "P4" or "P5" or "P6"))
                {
                    r.AddError($"--only '{id}' is not one of P2, P2f, P3, P4, P5, P6.");
                }
            }
        });
        command.SetAction((parse, ct) => RunAsync(
            new PerfOptions
            {
                Slices = parse.GetValue(slices),
                Jobs = parse.GetValue(jobs),
                PipelineActions = parse.GetValue(actions),
                SteadyActions = parse.GetValue(steady),
                Orders = parse.GetValue(orders),
                WithFleet = parse.GetValue(withFleet) || (parse.GetValue(only) ?? []).Any(id => id.StartsWith("P2", StringComparison.OrdinalIgnoreCase)),
                Only = new HashSet<string>(parse.GetValue(only) ?? [], StringComparer.OrdinalIgnoreCase),
                Json = parse.GetValue(json),
                FleetLatency = parse.GetValue(latency),
                FleetCounting = parse.GetValue(counting),
                WorkerSettings = [.. (parse.GetValue(set) ?? []).Select(p => new KeyValuePair<string, string?>(p[..p.IndexOf('=', StringComparison.Ordinal)], p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]))],
            },
            parse.GetValue(fleetSeconds),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(PerfOptions options, int fleetSeconds, CancellationToken cancellationToken)
    {
        var rows = new List<PerfRow>();

        // P5 first: its memory readings should not carry what the million slices of P3 left in this process.
        if (options.Runs("P5"))
        {
            rows.AddRange(await new SteadyScenario(options).RunAsync(cancellationToken));
        }

        if (options.Runs("P4"))
        {
            rows.AddRange(await new PipelineScenario(options).RunAsync(cancellationToken));
        }

        if (options.Runs("P6"))
        {
            rows.AddRange(new SinkScenario(options).Run());
        }

        if (options.Runs("P3"))
        {
            rows.AddRange(await new StoreScenario(options).RunAsync(cancellationToken));
        }

        if (options.WithFleet && options.Runs("P2"))
        {
            rows.Add(await FleetRow.RunAsync(options, fleetSeconds, cancellationToken));
        }

        if (options.WithFleet && options.Runs("P2f"))
        {
            rows.Add(await FleetRow.RunFinanceAsync(options, fleetSeconds, cancellationToken));
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        rows.ForEach(PerfFigures.Record);
        PerfReport.Write(rows, PerfReport.Commit(BackfillCli.RepositoryRoot()), options.Json);
        return rows.All(r => r.Met) ? 0 : 1;
    }
}
