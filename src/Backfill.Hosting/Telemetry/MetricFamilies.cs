using System.Globalization;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;
using Backfill.Storage;

namespace Backfill.Hosting.Telemetry;

/// <summary>
/// The scheduler's series, all prefixed <c>backfill_</c>, each a pure function of one <see cref="MetricsSnapshot"/>: the
/// one list that both <c>GET /metrics</c> writes and the scheduler's meter reports (<see cref="SchedulerMeter"/>), so the
/// two never differ in name, labels or value. Every family is listed, with no sample when nothing is known.
/// </summary>
public static class MetricFamilies
{
    private static readonly IReadOnlyDictionary<Datasets, SinkTotals> NoSink = new Dictionary<Datasets, SinkTotals>();

    public static IReadOnlyList<MetricFamily> All { get; } =
    [
        new("backfill_jobs", MetricType.Gauge, "Jobs in the store by state.", true, s =>
            Enum.GetValues<JobState>().Select(state => MetricSample.Of(s.JobsByState.GetValueOrDefault(state), ("state", Lower(state))))),
        new("backfill_slices", MetricType.Gauge, "Slices by state of each unfinished job and of jobs finished within the last day.", true, s =>
            s.Jobs.SelectMany(job => States(job.Slices).Select(st => MetricSample.Of(st.Count, ("job", job.Job), ("platform", job.Platform), ("state", st.State))))),
        PerPlatform("backfill_releases_total", MetricType.Counter, "Slices the scheduler sent to the action topic since it started (a retried slice counts again).", p => p.Totals.Releases),
        PerPlatform("backfill_slices_restarted_total", MetricType.Counter, "Slices in flight released again as a new attempt because nothing was heard of them for Backfill:StuckAfter (their step was lost), since the scheduler started.", p => p.Totals.Restarts),
        PerPlatform("backfill_platform_pages_total", MetricType.Counter, "Pages fetched from the platform (one successful list call each) as workers reported them in progress, since the scheduler started.", p => p.Totals.Pages),
        PerPlatform("backfill_platform_throttles_total", MetricType.Counter, "Throttle answers of the platform as workers reported them in progress, since the scheduler started.", p => p.Totals.Throttles),
        PerPlatform("backfill_platform_cooling_off", MetricType.Gauge, "1 while the platform cools off after repeated throttles (no calls, no releases).", p => p.Status.CoolOffUntil is null ? 0 : 1),
        PerPlatform("backfill_platform_release_held", MetricType.Gauge, "1 when the platform's last release was held back by its budget (cool-off or action lag).", p => p.Status.Hold is null ? 0 : 1),
        new("backfill_quota_calls", MetricType.Gauge, "Calls of a platform's quota (per period) granted to backfills in its current window.", true, s =>
            s.Platforms.SelectMany(p => p.Status.Quotas.Select(q => MetricSample.Of(q.Granted, ("platform", p.Platform), ("period", Period(q.Period)))))),
        new("backfill_quota_usable", MetricType.Gauge, "Calls of a platform's quota (per period) backfills may use in a window: Calls × RateLimit:BackfillShare.", true, s =>
            s.Platforms.SelectMany(p => p.Status.Quotas.Select(q => MetricSample.Of(q.Usable, ("platform", p.Platform), ("period", Period(q.Period)))))),
        PerPlatform("backfill_quota_spent_until_seconds", MetricType.Gauge, "While the platform's quota is spent (the backfill share, or the platform refused), when calls and releases resume, in unix seconds; 0 when not spent.", p => p.Status.QuotaSpentUntil?.ToUnixTimeSeconds() ?? 0),
        new("backfill_platform_limit_calls_per_second", MetricType.Gauge, "The platform's fleet-wide limit in calls per second: the one set while running (backfill limit), else the configured one.", false, s =>
            s.Platforms.Where(p => p.Limit is not null).Select(p => MetricSample.Of(p.Limit!.Value, ("platform", p.Platform)))),
        new("backfill_lane_calls_per_second", MetricType.Gauge, "A lane's rate in calls per second as its owner reported it with its last step (throttles lower it).", false, s =>
            s.Platforms.SelectMany(p => p.Status.Lanes.Select(l => MetricSample.Of(l.Rate, ("platform", p.Platform), ("lane", Invariant(l.Lane)))))),
        new("backfill_action_lag_messages", MetricType.Gauge, "Action messages on the platform's lanes that the worker group has not consumed yet (read at most every few seconds).", true, s =>
            s.Platforms.Where(p => p.ActionLag is not null).Select(p => MetricSample.Of(p.ActionLag!.Value, ("platform", p.Platform)))),
        new("backfill_action_partition_lag_messages", MetricType.Gauge, "Action messages waiting on one lane's partition, unconsumed by the worker group (R8: a busy lane shows here first).", true, s =>
            s.Platforms.SelectMany(p => p.Status.Partitions
                .Where(l => l.Lag is not null && l.Partition is not null)
                .Select(l => MetricSample.Of(l.Lag ?? 0, ("platform", p.Platform), ("lane", Invariant(l.Lane)), ("partition", Invariant(l.Partition ?? 0)))))),
        new("backfill_lane_pages_total", MetricType.Counter, "Pages fetched on one lane (one action partition) as workers reported them, since the scheduler started: the load per partition.", true, s =>
            s.Platforms.SelectMany(p => p.Status.Partitions.Select(l => MetricSample.Of(l.Pages, ("platform", p.Platform), ("lane", Invariant(l.Lane)))))),
        PerPlatform("backfill_platform_partition_skew", MetricType.Gauge, "1 while one lane's load (pages in the last 5 min) or lag is more than 4 times the median lane's (the skew in GET /api/jobs/{id}).", p => p.Status.Skew is null ? 0 : 1),
        PerPlatform("backfill_worker_commit_failures_total", MetricType.Counter, "Offset commits that failed in the worker processes running the platform's steps, since each started, as their last reports gave them; non-zero is an alarm (R3).", p => p.Status.WorkerCommitFailures),
        PerPlatform("backfill_worker_evictions_total", MetricType.Counter, "Evictions for not polling in the worker processes running the platform's steps, since each started, as reported; non-zero is an alarm (R3).", p => p.Status.WorkerEvictions),
        One("backfill_kafka_commits_total", "Offset commits of the scheduler process.", s => s.Kafka.Commits),
        One("backfill_kafka_commit_failures_total", "Offset commits of the scheduler process that failed; non-zero is an alarm.", s => s.Kafka.CommitFailures),
        One("backfill_kafka_evictions_total", "Times a consumer of the scheduler process was evicted for not polling; non-zero is an alarm.", s => s.Kafka.Evictions),
        One("backfill_kafka_dead_lettered_total", "Messages the scheduler process parked on the dead-letter topic.", s => s.Kafka.DeadLettered),
        One("backfill_kafka_records_lost_total", "Records (progress, saved data) that left their topic before the scheduler process read them; non-zero is an alarm: what they carried is missing.", s => s.Kafka.RecordsLost),
        new("backfill_sink_records_saved_total", MetricType.Counter, "Records the sink holds of each dataset (each record once), since its file was created.", true, s =>
            (s.Sink ?? NoSink).Select(d => MetricSample.Of(d.Value.Unique, ("dataset", DatasetNames.Name(d.Key))))),
        new("backfill_sink_duplicates_absorbed_total", MetricType.Counter, "Deliveries of a record the sink already held (redone steps, redeliveries), per dataset, since its file was created.", true, s =>
            (s.Sink ?? NoSink).Select(d => MetricSample.Of(d.Value.DuplicatesAbsorbed, ("dataset", DatasetNames.Name(d.Key))))),
        One("backfill_progress_ignored_total", "Progress messages ignored as stale or repeated since the scheduler started.", s => s.ProgressIgnored),
        new("backfill_progress_delay_seconds", MetricType.Gauge, "How long after its worker sent it the scheduler applied the oldest report of its last batch of progress (worker clocks against the scheduler's). Releases count a slice in flight until its report is applied: seconds here hold releases for finished work.", false, s =>
            s.ProgressDelay is { } delay ? [MetricSample.Of(delay.TotalSeconds)] : []),
        new("backfill_token_refreshes_total", MetricType.Counter, "Shop token refreshes since the scheduler started: ok (new tokens stored and announced), refused (the shop needs authorization), failed (not answered; tried again).", true, s =>
        {
            var r = s.TokenRefreshes ?? new TokenRefreshFigures(0, 0, 0);
            return [MetricSample.Of(r.Ok, ("outcome", "ok")), MetricSample.Of(r.Refused, ("outcome", "refused")), MetricSample.Of(r.Failed, ("outcome", "failed"))];
        }),
        new("backfill_shops", MetricType.Gauge, "Shops in the scheduler's registry by platform and state (active, disabled, needs-authorization: the seller must authorise the app again).", true, s =>
            (s.Shops ?? []).GroupBy(shop => shop.Platform, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => Enum.GetValues<ShopState>().Select(ShopRules.StateName).Select(state => MetricSample.Of(g.Count(shop => shop.State == state), ("platform", g.Key), ("state", state))))),
        new("backfill_shop_token_seconds_left", MetricType.Gauge, "Seconds until a shop's access or refresh token (kind) expires, negative once it has; absent while its expiry is unknown.", true, s =>
            (s.Shops ?? []).SelectMany(shop => new[] { ("access", shop.AccessSecondsLeft), ("refresh", shop.RefreshSecondsLeft) }
                .Where(t => t.Item2 is not null)
                .Select(t => MetricSample.Of(t.Item2!.Value, ("platform", shop.Platform), ("shop", shop.Shop), ("kind", t.Item1))))),
    ];

    private static MetricFamily PerPlatform(string name, MetricType type, string help, Func<PlatformFigures, long> value) =>
        new(name, type, help, true, s => s.Platforms.Select(p => MetricSample.Of(value(p), ("platform", p.Platform))));

    private static MetricFamily One(string name, string help, Func<MetricsSnapshot, long> value) =>
        new(name, MetricType.Counter, help, true, s => [MetricSample.Of(value(s))]);

    private static IEnumerable<(string State, int Count)> States(SliceCounts c) =>
    [
        (Lower(SliceState.Pending), c.Pending),
        (Lower(SliceState.Released), c.Released),
        (Lower(SliceState.Running), c.Running),
        (Lower(SliceState.Succeeded), c.Succeeded),
        (Lower(SliceState.Failed), c.Failed),
        (Lower(SliceState.Cancelled), c.Cancelled),
    ];

    /// <summary>A quota's period as configured (<c>00:01:00</c>, <c>1.00:00:00</c>).</summary>
    private static string Period(TimeSpan period) => period.ToString("c", CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Lower<T>(T state)
        where T : struct, Enum => state.ToString().ToLowerInvariant();
}

/// <summary>One series family: its Prometheus name, type and help, and its samples in a snapshot.</summary>
/// <param name="Integral">Its values are whole numbers (written exactly; reported as <see cref="long"/>).</param>
public sealed record MetricFamily(string Name, MetricType Type, string Help, bool Integral, Func<MetricsSnapshot, IEnumerable<MetricSample>> Samples)
{
    /// <summary>
    /// The name of its instrument in the <c>Backfill</c> meter: <c>backfill.</c> and the rest of the series name, without
    /// a counter's <c>_total</c> (<c>backfill_releases_total</c> → <c>backfill.releases</c>), which OTLP-to-Prometheus
    /// translation gives back as the same series name.
    /// </summary>
    public string Instrument => "backfill." + (Type == MetricType.Counter && Name.EndsWith("_total", StringComparison.Ordinal) ? Name[..^"_total".Length] : Name)["backfill_".Length..];
}

/// <summary>A sample: a count (exact) or a value, and its labels.</summary>
public readonly record struct MetricSample(double Value, long? Count, (string Name, string Value)[] Labels)
{
    public static MetricSample Of(long count, params (string Name, string Value)[] labels) => new(count, count, labels);

    public static MetricSample Of(double value, params (string Name, string Value)[] labels) => new(value, null, labels);
}

/// <summary>The metric types of the exposition format's <c># TYPE</c>.</summary>
public enum MetricType
{
    Counter,
    Gauge,
}
