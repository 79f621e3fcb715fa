using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Scheduling;
using Backfill.Scheduling.Shops;
using Backfill.Storage;

namespace Backfill.Hosting.Telemetry;

/// <summary>Every figure of one scrape, read first and written after, so the text is a pure function of it.</summary>
/// <param name="JobsByState">Every job in the store by state.</param>
/// <param name="Jobs">Jobs whose slices are shown: unfinished ones and those finished lately.</param>
/// <param name="Sink">The sink's totals per dataset; null when the sink could not be read.</param>
/// <param name="TokenRefreshes">The token refresher's outcomes since start; null reads as none.</param>
/// <param name="Shops">The shop registry, as the API shows it (no token); null or empty when it holds none.</param>
/// <param name="ProgressDelay">How late the scheduler applied its last batch of progress (<see cref="ProgressApplier.Delay"/>); null before the first.</param>
public sealed record MetricsSnapshot(
    IReadOnlyDictionary<JobState, int> JobsByState,
    IReadOnlyList<JobSlices> Jobs,
    IReadOnlyList<PlatformFigures> Platforms,
    KafkaFigures Kafka,
    IReadOnlyDictionary<Datasets, SinkTotals>? Sink,
    long ProgressIgnored,
    TokenRefreshFigures? TokenRefreshes = null,
    IReadOnlyList<ShopView>? Shops = null,
    TimeSpan? ProgressDelay = null);

/// <summary>A job's slices by state.</summary>
public sealed record JobSlices(string Job, string Platform, SliceCounts Slices);

/// <summary>A platform's budget as the fleet reported it.</summary>
/// <param name="ActionLag">Action messages of the platform's lanes not yet consumed; null when Kafka did not answer.</param>
/// <param name="Limit">The fleet's limit in calls per second, live or configured; null for a platform no longer configured.</param>
public sealed record PlatformFigures(string Platform, PlatformTotals Totals, PlatformStatus Status, long? ActionLag, double? Limit = null);

/// <summary>The Kafka outcomes of the serve process.</summary>
public sealed record KafkaFigures(long Commits, long CommitFailures, long Evictions, long DeadLettered, long RecordsLost);

/// <summary>The token refresher's outcomes since the scheduler started.</summary>
public sealed record TokenRefreshFigures(long Ok, long Refused, long Failed);
