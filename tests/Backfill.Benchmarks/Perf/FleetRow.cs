using Backfill.Benchmarks.Product;
using Backfill.Benchmarks.Scenarios;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P2: the <c>fleet</c> scenario with two worker processes, fleet budget, no kill: the job's makespan against the limit's
/// own makespan C/R (C the calls the platform accepted, every dataset's). The target allows 5% and one release period on
/// top. P2f is the same with orders and finance: one escrow call per order, most of the job's calls, and every order's
/// finance record must be saved too.
/// </summary>
internal static class FleetRow
{
    public static async Task<PerfRow> RunAsync(PerfOptions perf, int callsSeconds, CancellationToken cancellationToken) =>
        await RunAsync(perf, "P2", Datasets.Orders, callsSeconds, cancellationToken);

    /// <remarks>
    /// Two lanes, one per worker: a slice's calls all go through its lane, whose share is R / lanes, and a shop-day with
    /// finance is hundreds of calls. On the default 8 lanes (2.5 calls/s each at R = 20) the heaviest shop-days end on a
    /// few lanes while the others idle (measured: 1.86 · C/R); docs/performance.md, P2f.
    /// </remarks>
    public static async Task<PerfRow> RunFinanceAsync(PerfOptions perf, int callsSeconds, CancellationToken cancellationToken) =>
        await RunAsync(perf, "P2f", Datasets.Orders | Datasets.Finance, callsSeconds, cancellationToken, [new($"Platforms:{BenchSettings.Platform}:RateLimit:Lanes", "1")]);

    private static async Task<PerfRow> RunAsync(PerfOptions perf, string id, Datasets data, int callsSeconds, CancellationToken cancellationToken, IReadOnlyList<KeyValuePair<string, string>>? settings = null)
    {
        var options = new BenchOptions
        {
            Workers = [2], Modes = [BudgetMode.Fleet], KillAt = null, CallsDuration = TimeSpan.FromSeconds(callsSeconds), Data = data, Settings = settings ?? [],
            Latency = perf.FleetLatency, Counting = perf.FleetCounting,
        };
        var root = BackfillCli.RepositoryRoot();
        using var logs = new TempFolder("backfill-perf-build-");
        var cli = await BackfillCli.BuildAsync(root, skipBuild: false, logs.Path, cancellationToken);
        var result = (await new FleetScenario(cli, options).RunAllAsync(cancellationToken)).Single();

        // Releases come every second (the scenario's cadence). The makespan is the scheduler's own: from the job's creation
        // to its last slice's end, not the harness's (which adds a 'backfill start' process and a status poll every 2 s).
        var releasePeriod = TimeSpan.FromSeconds(1);
        var calls = result.Platform.Accepted;
        // What the lanes can reach: R, less what each call's hold beyond the window costs (docs/rate-budget.md, "Counting").
        var reachable = options.Rate * Reach(options);
        var limit = calls / reachable;
        var makespan = result.Job is { CreatedAt: { } created, FinishedAt: { } finished } ? (finished - created).TotalSeconds : result.Elapsed.TotalSeconds;
        var bound = (1.05 * limit) + releasePeriod.TotalSeconds;
        var plan = FleetScenario.Plan(options);
        var finance = result.FinanceSaved;
        var met = result.Error is null && result.Complete && makespan <= bound;
        var what = data.HasFlag(Datasets.Finance) ? "orders and finance, " : "";
        var latency = options.Latency is { } range ? $", latency {range}, counted {options.Counting}" : options.Counting == RateLimitCounting.Arrival ? ", counted Arrival" : "";
        var reference = reachable < options.Rate ? $"C/R' = {limit:0.0} s (R' = {reachable:0.#}/s)" : $"C/R = {limit:0.0} s";
        var row = new PerfRow(id, $"makespan of {calls:N0} calls ({what}{plan.ExpectedOrders:N0} orders) at R = {options.Rate}/s{latency}, 2 workers", $"{makespan:0.0} s", reference, limit > 0 ? makespan / limit : null, $"≤ 1.05 · {(reachable < options.Rate ? "C/R'" : "C/R")} + {releasePeriod.TotalSeconds:0} s = {bound:0.0} s", met)
        {
            Figures = new Dictionary<string, object>
            {
                ["calls"] = calls,
                ["rate"] = options.Rate,
                ["reachableRate"] = reachable,
                ["latencyMs"] = options.Latency?.ToString() ?? "0",
                ["counting"] = options.Counting.ToString(),
                ["makespanSeconds"] = makespan,
                ["harnessElapsedSeconds"] = result.Elapsed.TotalSeconds,
                ["limitSeconds"] = limit,
                ["callSpanSeconds"] = result.CallSpan?.TotalSeconds ?? 0,
                ["refused"] = result.Platform.Refused,
                ["complete"] = result.Complete,
                ["data"] = DatasetNames.Format(data),
                ["ordersExpected"] = plan.ExpectedOrders,
                ["financeSaved"] = finance ?? 0,
            },
            Note = result.Error is { } error ? $"the run failed: {error}" : null,
        };
        if (Directory.Exists(result.RunDirectory))
        {
            Directory.Delete(result.RunDirectory, recursive: true);
        }

        return row;
    }

    /// <summary>The share of R the lanes can reach: T/(T + jitter) counted on arrival (default jitter), T/(T + mean latency) strict.</summary>
    private static double Reach(BenchOptions options)
    {
        var window = TimeSpan.FromSeconds(1);
        var held = options.Counting == RateLimitCounting.Arrival
            ? window + new RateLimitOptions().ArrivalJitter
            : window + (options.Latency is { } range ? (range.Min + range.Max) / 2 : TimeSpan.Zero);
        return window / held;
    }
}
