using Backfill.Core.Data;
using Backfill.Platforms.Configuration;
using Backfill.Simulators;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>What the command line asked for; defaults are those of the <c>fleet</c> scenario's documentation.</summary>
internal sealed record BenchOptions
{
    /// <summary>The platform's limit R in calls per sliding second (the simulator's and the product's).</summary>
    public double Rate { get; init; } = 20;

    /// <summary>Worker process counts to measure, one run per count and mode.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [1, 2, 4];

    /// <summary>Budget modes to measure for each W.</summary>
    public IReadOnlyList<BudgetMode> Modes { get; init; } = [BudgetMode.Fleet, BudgetMode.Naive];

    /// <summary>The job is sized so that the platform sees at least this many seconds of calls at R.</summary>
    public TimeSpan CallsDuration { get; init; } = TimeSpan.FromSeconds(180);

    public int Shops { get; init; } = 24;

    /// <summary>The platform's per-shop limit S (simulator and product: <c>RateLimit:PerShopPermitsPerSecond</c>); null: none.</summary>
    public double? PerShop { get; init; }

    /// <summary>The rate the job may reach: min(R, shops × S) under a per-shop limit, else R.</summary>
    public double AllowedRate => PerShop is { } perShop ? Math.Min(Rate, Shops * perShop) : Rate;

    /// <summary>What the job pulls: orders, or orders and finance (an escrow call per order).</summary>
    public Datasets Data { get; init; } = Datasets.Orders;

    /// <summary>Worker consumers per worker process (<c>worker --concurrency</c>); null: the product's default.</summary>
    public int? Concurrency { get; init; }

    /// <summary><c>Platforms:bench:RateLimit:Lanes</c>; null: the product's default.</summary>
    public int? Lanes { get; init; }

    /// <summary><c>Backfill:MaxInFlightPerPlatform</c>: the product's default, enough for every lane's partition to run its steps side by side.</summary>
    public int MaxInFlight { get; init; } = 32;

    /// <summary><c>Backfill:ReleaseEvery</c> of the scheduler, which the job takes (it is started with no cadence option). Default <c>auto</c>.</summary>
    public string ReleaseEvery { get; init; } = "auto";

    /// <summary>A run that has not finished by then fails (naive runs with W ≥ 2 are expected to); null: three times the calls duration, at least five minutes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Time between the last worker's start line and the job's start, for the consumer group to form: the job meets a
    /// fleet that is already running, as in production; the halfway kill is the disruption measured.
    /// With KIP-848 (the harness's default) the group forms in about a second; with the classic protocol it takes two
    /// rebalances (about 18 s on dev-kafka).
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Kill one worker when the platform has seen this share of the job's calls; null: no kill.</summary>
    public double? KillAt { get; init; } = 0.5;

    /// <summary><c>Key=value</c> configuration given to every product process (wins over the harness's).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    public bool Json { get; init; }

    /// <summary>The simulator's latency (<c>platform-sim --latency</c>), drawn per call after it is counted; null: none.</summary>
    public LatencyRange? Latency { get; init; }

    /// <summary><c>Platforms:bench:RateLimit:Counting</c> of every product process.</summary>
    public RateLimitCounting Counting { get; init; } = RateLimitCounting.Strict;

    /// <summary>
    /// The utilisation a fleet run must reach (docs/rate-budget.md, "Counting"): 0.95 without latency; counted strict, 0.97 of
    /// T/(T + mean latency), what a lane can reach when each call holds its place for T + latency; counted on arrival, 0.93,
    /// the lanes' T/(T + jitter) = 0.952 less the run's start and end.
    /// </summary>
    public double UtilisationTarget => PerShop is not null
        ? 0.9
        : Counting == RateLimitCounting.Arrival
        ? 0.93
        : Latency is { } latency && latency.Max > TimeSpan.Zero
            ? 0.97 * (1 / (1 + ((latency.Min + latency.Max) / 2).TotalSeconds))
            : 0.95;

    /// <summary>Keep the run folders (logs, LiteDB files) also when every run succeeded.</summary>
    public bool Keep { get; init; }

    public bool SkipBuild { get; init; }

    public TimeSpan RunTimeout => Timeout ?? TimeSpan.FromSeconds(Math.Max(300, CallsDuration.TotalSeconds * 3));

    public long CallsWanted => (long)Math.Ceiling(AllowedRate * CallsDuration.TotalSeconds);

    /// <summary>A setting given with <c>--set</c>, or <paramref name="fallback"/>.</summary>
    public string Setting(string key, string fallback) =>
        Settings.LastOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase)).Value ?? fallback;
}
