namespace Backfill.Platforms;

/// <summary>Lane <see cref="Index"/> of a budget split into <see cref="Count"/> lanes (see <see cref="LanePlan"/>).</summary>
public readonly record struct LaneRef(int Index, int Count)
{
    /// <summary>The whole budget as one lane.</summary>
    public static LaneRef Whole { get; } = new(0, 1);

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>A platform's budget in this process at one moment.</summary>
/// <param name="CallsPerSecond">The whole budget (all lanes, all processes).</param>
/// <param name="Factor">The fraction of it throttles leave usable now (1 = all).</param>
/// <param name="PausedUntil">No call starts before this (a throttle's pause or a cool-off).</param>
/// <param name="CoolOffUntil">The end of the last cool-off (breaker), here or in another worker.</param>
/// <param name="Throttles">Throttle events seen by this process.</param>
/// <param name="Lanes">The lanes this process has called for.</param>
public sealed record BudgetSnapshot(
    string Platform,
    Configuration.RateLimitScope Scope,
    double CallsPerSecond,
    double Factor,
    DateTimeOffset PausedUntil,
    DateTimeOffset CoolOffUntil,
    long Throttles,
    IReadOnlyList<LaneSnapshot> Lanes);

/// <summary>
/// One lane in this process: its rate now, the calls its window counts, their latency (a moving average, zero before the
/// first answer) and, under a per-shop limit, how many shops called on it lately (each has its own window there).
/// </summary>
public sealed record LaneSnapshot(int Lane, int Lanes, double CallsPerSecond, int InWindow, TimeSpan Latency = default, int Shops = 0);
