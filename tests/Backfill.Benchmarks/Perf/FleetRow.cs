using Backfill.Benchmarks.Product;
using Backfill.Benchmarks.Scenarios;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P2: the <c>fleet</c> scenario with two worker processes, fleet budget, no kill: the job's makespan against the limit's
/// own makespan C/R (C the calls the platform accepted). The target allows 5% and one release period on top.
/// </summary>
internal static class FleetRow
{
    public static async Task<PerfRow> RunAsync(int callsSeconds, CancellationToken cancellationToken)
    {
        var options = new BenchOptions { Workers = [2], Modes = [BudgetMode.Fleet], KillAt = null, CallsDuration = TimeSpan.FromSeconds(callsSeconds) };
        var root = BackfillCli.RepositoryRoot();
        using var logs = new TempFolder("backfill-perf-build-");
        var cli = await BackfillCli.BuildAsync(root, skipBuild: false, logs.Path, cancellationToken);
        var result = (await new FleetScenario(cli, options).RunAllAsync(cancellationToken)).Single();

        // Releases come every second (the scenario's cadence). The makespan is the scheduler's own: from the job's creation
        // to its last slice's end, not the harness's (which adds a 'backfill start' process and a status poll every 2 s).
        var releasePeriod = TimeSpan.FromSeconds(1);
        var calls = result.Platform.Accepted;
        var limit = calls / options.Rate;
        var makespan = result.Job is { CreatedAt: { } created, FinishedAt: { } finished } ? (finished - created).TotalSeconds : result.Elapsed.TotalSeconds;
        var bound = (1.05 * limit) + releasePeriod.TotalSeconds;
        var met = result.Error is null && result.Complete && makespan <= bound;
        var row = new PerfRow("P2", $"makespan of {calls:N0} calls at R = {options.Rate}/s, 2 workers", $"{makespan:0.0} s", $"C/R = {limit:0.0} s", limit > 0 ? makespan / limit : null, $"≤ 1.05 · C/R + {releasePeriod.TotalSeconds:0} s = {bound:0.0} s", met)
        {
            Figures = new Dictionary<string, object>
            {
                ["calls"] = calls,
                ["rate"] = options.Rate,
                ["makespanSeconds"] = makespan,
                ["harnessElapsedSeconds"] = result.Elapsed.TotalSeconds,
                ["limitSeconds"] = limit,
                ["callSpanSeconds"] = result.CallSpan?.TotalSeconds ?? 0,
                ["refused"] = result.Platform.Refused,
                ["complete"] = result.Complete,
            },
            Note = result.Error is { } error ? $"the run failed: {error}" : null,
        };
        if (Directory.Exists(result.RunDirectory))
        {
            Directory.Delete(result.RunDirectory, recursive: true);
        }

        return row;
    }
}
