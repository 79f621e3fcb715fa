using Backfill.Simulators;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>What one (mode, W) run measured; <see cref="Error"/> is set when it could not finish.</summary>
internal sealed record RunResult(
    BudgetMode Mode,
    int Workers,
    double Rate,
    SimulatorStatsSnapshot Platform,
    JobStatus? Job,
    long OrdersUnique,
    long OrdersExpected,
    long DuplicatesAbsorbed,
    TimeSpan Elapsed,
    TimeSpan? WorkerKilledAt,
    TimeSpan LongestIdle,
    IReadOnlyList<string> OrderGaps,
    long? SinkBehind,
    string RunDirectory,
    string? Error)
{
    /// <summary>What the run's utilisation must reach for W ≥ 2, or any W without a kill (<see cref="BenchOptions.UtilisationTarget"/>).</summary>
    public double UtilisationTarget { get; init; } = 0.95;

    /// <summary>Accepted calls ÷ (first to last accepted call) ÷ <see cref="Rate"/> (R, or min(R, shops × S) under a per-shop limit); null with fewer than two accepted calls.</summary>
    public double? Utilisation =>
        Platform is { FirstAcceptedAt: { } first, LastAcceptedAt: { } last } && last > first
            ? Platform.Accepted / (last - first).TotalSeconds / Rate
            : null;

    public TimeSpan? CallSpan => Platform.LastAcceptedAt - Platform.FirstAcceptedAt;

    /// <summary>Finance records the sink saved for the job's orders, when the job pulls finance.</summary>
    public long? FinanceSaved { get; init; }

    /// <summary>The job ended succeeded with every slice, and the sink holds exactly the orders the platform has (and an escrow detail of each, when the job pulls finance).</summary>
    public bool Complete =>
        Error is null && Job is { State: "succeeded" } job && job.Succeeded == job.Total && OrdersUnique == OrdersExpected && (FinanceSaved is null || FinanceSaved == OrdersExpected);

    /// <summary>Targets of this run: null where one does not apply (naive and in-process modes, utilisation with one worker).</summary>
    public bool? NoRefusals => Mode.HasTargets ? Platform.Refused == 0 : null;

    public bool? WithinLimit => Mode.HasTargets ? Platform.PeakArrivalsPerSecond <= Math.Floor(Rate) : null;

    public bool? UtilisationMet => Mode.HasTargets && (Workers >= 2 || WorkerKilledAt is null) ? Utilisation >= UtilisationTarget : null;

    /// <summary>The run finished; where targets apply, every one is met and the run is complete.</summary>
    public bool TargetsMet =>
        Error is null && (!Mode.HasTargets || (Complete && NoRefusals is true && WithinLimit is true && UtilisationMet is not false));
}
