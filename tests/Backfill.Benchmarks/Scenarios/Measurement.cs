using Backfill.Simulators;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>What a run has measured so far; partial figures survive a failure.</summary>
internal sealed class Measurement(BudgetMode mode, int workers)
{
    public int Workers => workers;

    public SimulatorStatsSnapshot Platform { get; set; } = new(0, 0, 0, 0, 0);

    public JobStatus? Job { get; set; }

    public long OrdersUnique { get; set; }

    public long Duplicates { get; set; }

    /// <summary>Day slices whose saved orders differ from the catalog's.</summary>
    public IReadOnlyList<string> OrderGaps { get; set; } = [];

    public long? FinanceSaved { get; set; }

    /// <summary>Admitted calls by second, once the run is over.</summary>
    public SimulatorSeconds? Seconds { get; set; }

    /// <summary>Under a per-shop limit, the calls the limits allowed while the shops had calls to make; null otherwise.</summary>
    public double? AllowedCalls { get; set; }

    /// <summary>Orders the sink had not saved when serve was stopped; null when not measured.</summary>
    public long? SinkBehind { get; set; }

    /// <summary>Takes the sink's count.</summary>
    public void Count(OrderCount orders)
    {
        OrdersUnique = orders.Unique;
        Duplicates = orders.Duplicates;
        OrderGaps = orders.Gaps;
        FinanceSaved = orders.Finance;
    }

    public TimeSpan Elapsed { get; set; }

    public TimeSpan? WorkerKilledAt { get; set; }

    /// <summary>The longest time, as sampled, in which the platform accepted no call while the job ran.</summary>
    public TimeSpan LongestIdle => _longestIdle;

    private TimeSpan _longestIdle;
    private long _lastAccepted = -1;
    private TimeSpan _lastChange;

    public string? Error { get; set; }

    /// <summary>Records the simulator's counters at <paramref name="elapsed"/> into the run.</summary>
    public void Sample(SimulatorStatsSnapshot stats, TimeSpan elapsed)
    {
        Platform = stats;

        // Idle time counts from the first accepted call on: before it, the job is being planned and released.
        if (stats.Accepted != _lastAccepted)
        {
            if (_lastAccepted > 0 && elapsed - _lastChange > _longestIdle)
            {
                _longestIdle = elapsed - _lastChange;
            }

            _lastAccepted = stats.Accepted;
            _lastChange = elapsed;
        }
    }

    public RunResult Result(BenchOptions options, JobPlan plan, string directory) =>
        new(mode, workers, options.AllowedRate, Platform, Job, OrdersUnique, plan.ExpectedOrders, Duplicates, Elapsed, WorkerKilledAt, LongestIdle, OrderGaps, SinkBehind, directory, Error)
        {
            FinanceSaved = FinanceSaved,
            AllowedCalls = AllowedCalls,
            Profile = Seconds?.Profile(options.AllowedRate),
            UtilisationTarget = options.UtilisationTarget,
        };

    /// <summary>Reports a failure; keeps the run's folder (logs, LiteDB file) when anything is off or when asked, else deletes it.</summary>
    public void Finish(RunResult result, BenchRun? bench, string label, bool keep)
    {
        if (result.Error is not null)
        {
            Progress.Line($"[{label}] FAILED: {result.Error}");
        }

        if (result.OrderGaps.Count > 0)
        {
            Progress.Line($"[{label}] {result.OrdersUnique} orders saved, {result.OrdersExpected} expected; slices that differ: {string.Join("; ", result.OrderGaps)}");
        }

        if (result.Profile is { } p)
        {
            Progress.Line($"[{label}] calls by second: ramp {p.RampSeconds} s (−{p.RampLoss:0.000}), steady {p.SteadyRate:0.0}/s (−{p.SteadyLoss:0.000}), tail {p.TailSeconds} s (−{p.TailLoss:0.000})");
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
