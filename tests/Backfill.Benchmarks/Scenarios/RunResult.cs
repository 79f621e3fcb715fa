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

    /// <summary>
    /// Accepted calls ÷ the calls allowed: (first to last accepted call) × R, or under a per-shop limit
    /// <see cref="AllowedCalls"/> (min(R, S × the shops that still had calls to make), over the same span); null with
    /// fewer than two accepted calls.
    /// </summary>
    public double? Utilisation =>
        AllowedCalls is > 0 and var allowed ? Platform.Accepted / allowed : OfRate;

    /// <summary>Accepted calls ÷ (first to last accepted call) ÷ <see cref="Rate"/> (R, or min(R, shops × S) under a per-shop limit, as if every shop had equal work).</summary>
    public double? OfRate =>
        Platform is { FirstAcceptedAt: { } first, LastAcceptedAt: { } last } && last > first
            ? Platform.Accepted / (last - first).TotalSeconds / Rate
            : null;

    /// <summary>Under a per-shop limit, the calls the limits allowed while the shops had calls to make (<see cref="Simulators.AllowedCalls"/>).</summary>
    public double? AllowedCalls { get; init; }

    /// <summary>Where the calls the rate allowed went unused: ramp, steady part, tail (<see cref="SimulatorSeconds.Profile"/>).</summary>
    public RateProfile? Profile { get; init; }

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
