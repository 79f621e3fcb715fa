using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Backfill.Storage.Records;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Hosting.Telemetry;

/// <summary>
/// Reads what <c>/metrics</c> shows from the scheduler's own parts. Cheap figures (jobs, board, counters, the sink's
/// totals, the shop registry, which holds one small record per shop) are read on every scrape; the action lag (admin calls to Kafka) at most every <see cref="SlowPeriod"/>.
/// </summary>
public sealed partial class MetricsCollector : IDisposable
{
    /// <summary>How old the action lag may be.</summary>
    public static readonly TimeSpan SlowPeriod = TimeSpan.FromSeconds(5);

    /// <summary>How long a finished job's slices stay in <c>backfill_slices</c>; older ones drop out, so series stay bounded.</summary>
    public static readonly TimeSpan FinishedJobsShownFor = TimeSpan.FromDays(1);

    private readonly JobStore _jobs;
    private readonly RecordStore _orders;
    private readonly PlatformBoard _board;
    private readonly KafkaCounters _kafka;
    private readonly ProgressApplier _progress;
    private readonly TokenRefreshCounters _refreshes;
    private readonly ActionTopic _actionTopic;
    private readonly ShopRegistry _shops;
    private readonly IOptionsMonitor<PlatformOptions> _platforms;
    private readonly IReadOnlyList<string> _configured;
    private readonly TimeProvider _time;
    private readonly ILogger<MetricsCollector> _logger;
    private readonly Cached<IReadOnlyDictionary<string, long>?> _lag;

    public MetricsCollector(
        JobStore jobs,
        RecordStore orders,
        PlatformBoard board,
        KafkaCounters kafka,
        ProgressApplier progress,
        TokenRefreshCounters refreshes,
        ActionTopic actionTopic,
        ShopRegistry shops,
        IOptionsMonitor<PlatformOptions> platforms,
        IConfiguration configuration,
        TimeProvider time,
        ILogger<MetricsCollector> logger)
    {
        _jobs = jobs;
        _orders = orders;
        _board = board;
        _kafka = kafka;
        _progress = progress;
        _refreshes = refreshes;
        _actionTopic = actionTopic;
        _shops = shops;
        _platforms = platforms;
        _configured = [.. configuration.GetSection("Platforms").GetChildren().Select(c => c.Key)];
        _time = time;
        _logger = logger;
        _lag = new(SlowPeriod, time, ReadLagAsync);
    }

    /// <summary>Every figure, the action lag read from Kafka when the last read is older than <see cref="SlowPeriod"/>.</summary>
    public async Task<MetricsSnapshot> CollectAsync(CancellationToken cancellationToken) =>
        Collect(await _lag.GetAsync(cancellationToken));

    /// <summary>
    /// Every figure without asking Kafka, for a caller that must not wait on it (the meter's callbacks, also at shutdown):
    /// a platform's action lag is the sum of its lanes' partitions' lag as last read (by a release round or a scrape),
    /// absent while one of them was never read.
    /// </summary>
    public MetricsSnapshot CollectWithoutKafka() => Collect(null, lastRead: true);

    private MetricsSnapshot Collect(IReadOnlyDictionary<string, long>? lag, bool lastRead = false)
    {
        var now = _time.GetUtcNow();
        var jobs = _jobs.Jobs();
        var shown = jobs
            .Where(j => !j.IsFinished || j.FinishedAt is not { } finished || now - finished < FinishedJobsShownFor)
            .OrderBy(j => j.Id, StringComparer.Ordinal)
            .Select(j => new JobSlices(j.Id, j.Platform, _jobs.Counts(j.Id)))
            .ToList();
        var platforms = PlatformNames(jobs)
            .Select(p => (Name: p, Status: _board.Status(p)))
            .Select(p => new PlatformFigures(p.Name, _board.Totals(p.Name), p.Status, lastRead ? LastLag(p.Status) : lag is not null && lag.TryGetValue(p.Name, out var l) ? l : null, Limit(p.Name)))
            .ToList();
        return new MetricsSnapshot(
            jobs.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count()),
            shown,
            platforms,
            new KafkaFigures(_kafka.Commits, _kafka.CommitFailures, _kafka.Evictions, _kafka.DeadLettered, _kafka.RecordsLost),
            ReadSink(),
            _progress.Ignored,
            new TokenRefreshFigures(_refreshes.Ok, _refreshes.Refused, _refreshes.Failed),
            [.. _shops.All().Select(s => ShopView.Of(s, now))],
            _progress.Delay);
    }

    public void Dispose() => _lag.Dispose();

    private static long? LastLag(PlatformStatus status) =>
        status.Partitions.Count > 0 && status.Partitions.All(p => p.Lag is not null) ? status.Partitions.Sum(p => p.Lag ?? 0) : null;

    /// <summary>Configured platforms, and any other the store or the board names (a job of a platform since removed from configuration).</summary>
    private List<string> PlatformNames(IEnumerable<JobRecord> jobs) =>
        [.. _configured.Concat(jobs.Select(j => j.Platform)).Concat(_board.Platforms()).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];

    /// <summary>What the fleet holds the platform to now: the limit set while running, else the configured one.</summary>
    private double? Limit(string platform) =>
        _board.LiveLimit(platform) ?? (_configured.Contains(platform, StringComparer.OrdinalIgnoreCase) ? LanePlan.For(_platforms.Get(platform).RateLimit).PermitsPerSecond : null);

    private async Task<IReadOnlyDictionary<string, long>?> ReadLagAsync(CancellationToken cancellationToken)
    {
        try
        {
            var partitions = _actionTopic.Partitions();
            var lag = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            foreach (var platform in _configured)
            {
                // The same lanes the release path weighs (ReleaseService): the platform's lag is that of its lanes' partitions.
                var plan = LanePlan.For(_platforms.Get(platform).RateLimit);
                lag[platform] = await ReleaseService.LaneLagAsync(_actionTopic, _board, platform, plan, partitions, cancellationToken);
            }

            return lag;
        }
        catch (KafkaException e)
        {
            // A scrape must answer while Kafka does not; the lag series is left out until it does.
            Log.LagUnknown(_logger, e.Message);
            return null;
        }
    }

    /// <summary>The sink's totals: counters kept with its upserts, one document read.</summary>
    private IReadOnlyDictionary<Datasets, SinkTotals>? ReadSink()
    {
        try
        {
            return _orders.Totals();
        }
        catch (LiteDB.LiteException e)
        {
            Log.SinkUnknown(_logger, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Metrics: the action topic's lag could not be read: {Error}")]
        public static partial void LagUnknown(ILogger logger, string error);

        [LoggerMessage(2, LogLevel.Warning, "Metrics: the sink's totals could not be read: {Error}")]
        public static partial void SinkUnknown(ILogger logger, string error);
    }
}
