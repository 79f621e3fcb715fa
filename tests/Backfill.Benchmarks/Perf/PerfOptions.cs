using Backfill.Platforms.Configuration;
using Backfill.Simulators;

namespace Backfill.Benchmarks.Perf;

/// <summary>What <c>perf</c> was asked for.</summary>
internal sealed record PerfOptions
{
    /// <summary>P3: slices planned and persisted (500 shops × slices/500 days).</summary>
    public int Slices { get; init; } = 1_000_000;

    /// <summary>P3: jobs stored for the list of jobs.</summary>
    public int Jobs { get; init; } = 1_000;

    /// <summary>P4: action messages through the pipeline and through the raw loop.</summary>
    public int PipelineActions { get; init; } = 50_000;

    /// <summary>P4: orders one action's page carries.</summary>
    public int OrdersPerAction { get; init; } = 10;

    /// <summary>P5: action messages through one worker.</summary>
    public int SteadyActions { get; init; } = 100_000;

    /// <summary>P6: orders upserted (10% of them a second time).</summary>
    public int Orders { get; init; } = 200_000;

    /// <summary>Run P2 (the fleet scenario, W = 2): minutes, and a Release build of the CLI.</summary>
    public bool WithFleet { get; init; }

    /// <summary>Only these rows (P2…P6); empty: all.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public bool Json { get; init; }

    /// <summary>P2, P2f: the simulator's latency; null: none.</summary>
    public LatencyRange? FleetLatency { get; init; }

    /// <summary>P2, P2f: how the product counts calls.</summary>
    public RateLimitCounting FleetCounting { get; init; } = RateLimitCounting.Strict;

    /// <summary><c>Section:Key=value</c> for the worker of P4 and P5 (e.g. <c>Worker:StepsPerPartition=16</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> WorkerSettings { get; init; } = [];

    public bool Runs(string id) => Only.Count == 0 || Only.Contains(id, StringComparer.OrdinalIgnoreCase);
}
