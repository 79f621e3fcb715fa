using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;
using Backfill.Storage;

namespace Backfill.Server.Metrics;

/// <summary>The series of <c>GET /metrics</c>, all prefixed <c>backfill_</c>. Every family is written, with no sample when nothing is known.</summary>
internal static class MetricsText
{
    private static readonly IReadOnlyDictionary<Datasets, SinkTotals> NoSink = new Dictionary<Datasets, SinkTotals>();

    public static string Write(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new PrometheusText();

        text.Family("backfill_jobs", MetricType.Gauge, "Jobs in the store by state.");
        foreach (var state in Enum.GetValues<JobState>())
        {
            text.Sample(snapshot.JobsByState.GetValueOrDefault(state), ("state", Lower(state)));
        }

        text.Family("backfill_slices", MetricType.Gauge, "Slices by state of each unfinished job and of jobs finished within the last day.");
        foreach (var job in snapshot.Jobs)
        {
            foreach (var (state, count) in States(job.Slices))
            {
                text.Sample(count, ("job", job.Job), ("platform", job.Platform), ("state", state));
            }
        }

        PerPlatform(text, snapshot, "backfill_releases_total", MetricType.Counter, "Slices the scheduler sent to the action topic since it started (a retried slice counts again).", p => p.Totals.Releases);
        PerPlatform(text, snapshot, "backfill_slices_restarted_total", MetricType.Counter, "Slices in flight released again as a new attempt because nothing was heard of them for Backfill:StuckAfter (their step was lost), since the scheduler started.", p => p.Totals.Restarts);
        PerPlatform(text, snapshot, "backfill_platform_pages_total", MetricType.Counter, "Pages fetched from the platform (one successful list call each) as workers reported them in progress, since the scheduler started.", p => p.Totals.Pages);
        PerPlatform(text, snapshot, "backfill_platform_throttles_total", MetricType.Counter, "Throttle answers of the platform as workers reported them in progress, since the scheduler started.", p => p.Totals.Throttles);
        PerPlatform(text, snapshot, "backfill_platform_cooling_off", MetricType.Gauge, "1 while the platform cools off after repeated throttles (no calls, no releases).", p => p.Status.CoolOffUntil is null ? 0 : 1);
        PerPlatform(text, snapshot, "backfill_platform_release_held", MetricType.Gauge, "1 when the platform's last release was held back by its budget (cool-off or action lag).", p => p.Status.Hold is null ? 0 : 1);

        text.Family("backfill_quota_calls", MetricType.Gauge, "Calls of a platform's quota (per period) granted to backfills in its current window.");
        foreach (var platform in snapshot.Platforms)
        {
            foreach (var quota in platform.Status.Quotas)
            {
                text.Sample(quota.Granted, ("platform", platform.Platform), ("period", Period(quota.Period)));
            }
        }

        text.Family("backfill_quota_usable", MetricType.Gauge, "Calls of a platform's quota (per period) backfills may use in a window: Calls × RateLimit:BackfillShare.");
        foreach (var platform in snapshot.Platforms)
        {
            foreach (var quota in platform.Status.Quotas)
            {
                text.Sample(quota.Usable, ("platform", platform.Platform), ("period", Period(quota.Period)));
            }
        }

        PerPlatform(text, snapshot, "backfill_quota_spent_until_seconds", MetricType.Gauge, "While the platform's quota is spent (the backfill share, or the platform refused), when calls and releases resume, in unix seconds; 0 when not spent.", p => p.Status.QuotaSpentUntil?.ToUnixTimeSeconds() ?? 0);

        text.Family("backfill_platform_limit_calls_per_second", MetricType.Gauge, "The platform's fleet-wide limit in calls per second: the one set while running (backfill limit), else the configured one.");
        foreach (var platform in snapshot.Platforms)
        {
            if (platform.Limit is { } limit)
            {
                text.Sample(limit, ("platform", platform.Platform));
            }
        }

        text.Family("backfill_lane_calls_per_second", MetricType.Gauge, "A lane's rate in calls per second as its owner reported it with its last step (throttles lower it).");
        foreach (var platform in snapshot.Platforms)
        {
            foreach (var lane in platform.Status.Lanes)
            {
                text.Sample(lane.Rate, ("platform", platform.Platform), ("lane", lane.Lane.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        text.Family("backfill_action_lag_messages", MetricType.Gauge, "Action messages on the platform's lanes that the worker group has not consumed yet (read at most every few seconds).");
        foreach (var platform in snapshot.Platforms)
        {
            if (platform.ActionLag is { } lag)
            {
                text.Sample(lag, ("platform", platform.Platform));
            }
        }

        text.Family("backfill_action_partition_lag_messages", MetricType.Gauge, "Action messages waiting on one lane's partition, unconsumed by the worker group (R8: a busy lane shows here first).");
        foreach (var platform in snapshot.Platforms)
        {
            foreach (var lane in platform.Status.Partitions.Where(l => l.Lag is not null && l.Partition is not null))
            {
                text.Sample(lane.Lag ?? 0, ("platform", platform.Platform), ("lane", Invariant(lane.Lane)), ("partition", Invariant(lane.Partition ?? 0)));
            }
        }

        text.Family("backfill_lane_pages_total", MetricType.Counter, "Pages fetched on one lane (one action partition) as workers reported them, since the scheduler started: the load per partition.");
        foreach (var platform in snapshot.Platforms)
        {
            foreach (var lane in platform.Status.Partitions)
            {
                text.Sample(lane.Pages, ("platform", platform.Platform), ("lane", Invariant(lane.Lane)));
            }
        }

        PerPlatform(text, snapshot, "backfill_platform_partition_skew", MetricType.Gauge, "1 while one lane's load (pages in the last 5 min) or lag is more than 4 times the median lane's (the skew in GET /api/jobs/{id}).", p => p.Status.Skew is null ? 0 : 1);

        PerPlatform(text, snapshot, "backfill_worker_commit_failures_total", MetricType.Counter, "Offset commits that failed in the worker processes running the platform's steps, since each started, as their last reports gave them; non-zero is an alarm (R3).", p => p.Status.WorkerCommitFailures);
        PerPlatform(text, snapshot, "backfill_worker_evictions_total", MetricType.Counter, "Evictions for not polling in the worker processes running the platform's steps, since each started, as reported; non-zero is an alarm (R3).", p => p.Status.WorkerEvictions);

        text.Family("backfill_kafka_commits_total", MetricType.Counter, "Offset commits of the scheduler process.").Sample(snapshot.Kafka.Commits);
        text.Family("backfill_kafka_commit_failures_total", MetricType.Counter, "Offset commits of the scheduler process that failed; non-zero is an alarm.").Sample(snapshot.Kafka.CommitFailures);
        text.Family("backfill_kafka_evictions_total", MetricType.Counter, "Times a consumer of the scheduler process was evicted for not polling; non-zero is an alarm.").Sample(snapshot.Kafka.Evictions);
        text.Family("backfill_kafka_dead_lettered_total", MetricType.Counter, "Messages the scheduler process parked on the dead-letter topic.").Sample(snapshot.Kafka.DeadLettered);

        text.Family("backfill_sink_records_saved_total", MetricType.Counter, "Records the sink holds of each dataset (each record once), since its file was created.");
        foreach (var (dataset, sink) in snapshot.Sink ?? NoSink)
        {
            text.Sample(sink.Unique, ("dataset", DatasetNames.Name(dataset)));
        }

        text.Family("backfill_sink_duplicates_absorbed_total", MetricType.Counter, "Deliveries of a record the sink already held (redone steps, redeliveries), per dataset, since its file was created.");
        foreach (var (dataset, sink) in snapshot.Sink ?? NoSink)
        {
            text.Sample(sink.DuplicatesAbsorbed, ("dataset", DatasetNames.Name(dataset)));
        }

        text.Family("backfill_progress_ignored_total", MetricType.Counter, "Progress messages ignored as stale or repeated since the scheduler started.").Sample(snapshot.ProgressIgnored);

        var refreshes = snapshot.TokenRefreshes ?? new TokenRefreshFigures(0, 0, 0);
        text.Family("backfill_token_refreshes_total", MetricType.Counter, "Shop token refreshes since the scheduler started: ok (new tokens stored and announced), refused (the shop needs authorization), failed (not answered; tried again).")
            .Sample(refreshes.Ok, ("outcome", "ok"))
            .Sample(refreshes.Refused, ("outcome", "refused"))
            .Sample(refreshes.Failed, ("outcome", "failed"));
        Shops(text, snapshot.Shops ?? []);
        return text.ToString();
    }

    private static void Shops(PrometheusText text, IReadOnlyList<ShopView> shops)
    {
        text.Family("backfill_shops", MetricType.Gauge, "Shops in the scheduler's registry by platform and state (active, disabled, needs-authorization: the seller must authorise the app again).");
        foreach (var platform in shops.GroupBy(s => s.Platform, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var state in Enum.GetValues<ShopState>().Select(ShopRules.StateName))
            {
                text.Sample(platform.Count(s => s.State == state), ("platform", platform.Key), ("state", state));
            }
        }

        text.Family("backfill_shop_token_seconds_left", MetricType.Gauge, "Seconds until a shop's access or refresh token (kind) expires, negative once it has; absent while its expiry is unknown.");
        foreach (var shop in shops)
        {
            foreach (var (kind, left) in new[] { ("access", shop.AccessSecondsLeft), ("refresh", shop.RefreshSecondsLeft) })
            {
                if (left is { } seconds)
                {
                    text.Sample(seconds, ("platform", shop.Platform), ("shop", shop.Shop), ("kind", kind));
                }
            }
        }
    }

    private static void PerPlatform(PrometheusText text, MetricsSnapshot snapshot, string name, MetricType type, string help, Func<PlatformFigures, long> value)
    {
        text.Family(name, type, help);
        foreach (var platform in snapshot.Platforms)
        {
            text.Sample(value(platform), ("platform", platform.Platform));
        }
    }

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
    private static string Period(TimeSpan period) => period.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Lower<T>(T state)
        where T : struct, Enum => state.ToString().ToLowerInvariant();
}
