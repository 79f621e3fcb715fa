using Backfill.Platforms.Simulator;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>What a run has measured so far; partial figures survive a failure.</summary>
internal sealed class Measurement(BudgetMode mode, int workers)
{
    public int Workers => workers;

    public SimulatorStatsSnapshot Platform { get; set; } = new(0, 0, 0, 0, 0);

    public JobStatus? Job { get; set; }

    public long OrdersUnique { get; set; }

    public long Duplicates { get; set; }

    public TimeSpan Elapsed { get; set; }

    public TimeSpan? WorkerKilledAt { get; set; }

    public string? Error { get; set; }

    public RunResult Result(double rate, JobPlan plan, string directory) =>
        new(mode, workers, rate, Platform, Job, OrdersUnique, plan.ExpectedOrders, Duplicates, Elapsed, WorkerKilledAt, directory, Error);

    /// <summary>Reports a failure; keeps the run's folder (logs, LiteDB file) when anything is off or when asked, else deletes it.</summary>
    public void Finish(RunResult result, BenchRun? bench, string label, bool keep)
    {
        if (result.Error is not null)
        {
            Progress.Line($"[{label}] FAILED: {result.Error}");
        }

        if (bench is null)
        {
            return;
        }

        if (result.Error is not null || !result.Complete || !result.TargetsMet || keep)
        {
            Progress.Line($"[{label}] logs and data kept in {bench.Directory}");
        }
        else
        {
            Directory.Delete(bench.Directory, recursive: true);
        }
    }
}
