using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling;
using Backfill.Hosting.Telemetry;
using Backfill.Server.Metrics;
using Backfill.Storage;

namespace Backfill.Server.Tests.Metrics;

public sealed class MetricsTextTests
{
    private static readonly DateTimeOffset At = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static MetricsSnapshot Snapshot(SinkTotals? sink = null, long? lag = 7) => new(
        new Dictionary<JobState, int> { [JobState.Running] = 2, [JobState.Succeeded] = 1 },
        [new JobSlices("demo-1", "demo", new SliceCounts(Pending: 3, Released: 1, Running: 2, Succeeded: 4, Failed: 1, Cancelled: 0))],
        [
            new PlatformFigures(
                "demo",
                new PlatformTotals(Pages: 120, Throttles: 2, Releases: 9),
                new PlatformStatus("demo", 2, At.AddMinutes(1), "breaker", "demo cools off", [new LaneStatus(0, 2.5, "w1", At), new LaneStatus(3, 1.25, "w2", At)]),
                lag,
                Limit: 20),
        ],
        new KafkaFigures(Commits: 40, CommitFailures: 1, Evictions: 0, DeadLettered: 2, RecordsLost: 3),
        new Dictionary<Datasets, SinkTotals> { [Datasets.Orders] = sink ?? new SinkTotals(Unique: 1000, Writes: 1012), [Datasets.Finance] = new SinkTotals(Unique: 900, Writes: 903), [Datasets.Returns] = new SinkTotals(0, 0) },
        ProgressIgnored: 5);

    [Fact]
    public void TheProgressDelay_IsInSeconds_AndAbsentBeforeTheFirstBatch()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot() with { ProgressDelay = TimeSpan.FromMilliseconds(2_500) }));
        Assert.Equal(2.5, parsed.Value("backfill_progress_delay_seconds"));

        var none = MetricsText.Write(Snapshot());
        Assert.Contains("# TYPE backfill_progress_delay_seconds gauge\n", none, StringComparison.Ordinal);
        Assert.Empty(ExpositionParser.Parse(none).Samples("backfill_progress_delay_seconds"));
    }

    [Fact]
    public void TokenRefreshes_AreCountedByOutcome()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot() with { TokenRefreshes = new TokenRefreshFigures(Ok: 7, Refused: 1, Failed: 3) }));

        Assert.Equal(7, parsed.Value("backfill_token_refreshes_total", ("outcome", "ok")));
        Assert.Equal(1, parsed.Value("backfill_token_refreshes_total", ("outcome", "refused")));
        Assert.Equal(3, parsed.Value("backfill_token_refreshes_total", ("outcome", "failed")));
    }

    [Fact]
    public void Write_ParsesStrictly_AndEveryFamilyIsPrefixedAndDocumented()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot()));

        Assert.All(parsed.Families.Values, f =>
        {
            Assert.StartsWith("backfill_", f.Name, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(f.Help));
            Assert.Equal(f.Name.EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge", f.Type);
        });
    }

    [Fact]
    public void Write_SlicesByStatePerJobAndPlatform_AllSixStates()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot()));

        Assert.Equal(
            [("cancelled", 0.0), ("failed", 1), ("pending", 3), ("released", 1), ("running", 2), ("succeeded", 4)],
            parsed.Samples("backfill_slices").Select(s => (s.Labels.Single(l => l.Name == "state").Value, s.Value)).Order());
        Assert.Equal(4, parsed.Value("backfill_slices", ("job", "demo-1"), ("platform", "demo"), ("state", "succeeded")));
    }

    [Fact]
    public void Write_JobsByState_ShowsEveryStateIncludingZeros()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot()));

        Assert.Equal(2, parsed.Value("backfill_jobs", ("state", "running")));
        Assert.Equal(1, parsed.Value("backfill_jobs", ("state", "succeeded")));
        Assert.Equal(0, parsed.Value("backfill_jobs", ("state", "paused")));
        Assert.Equal(5, parsed.Samples("backfill_jobs").Count());
    }

    [Fact]
    public void Write_PlatformAndProcessFigures_AreTheSnapshots()
    {
        var text = MetricsText.Write(Snapshot());

        Assert.Contains("backfill_releases_total{platform=\"demo\"} 9\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_platform_pages_total{platform=\"demo\"} 120\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_platform_throttles_total{platform=\"demo\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_platform_cooling_off{platform=\"demo\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_platform_release_held{platform=\"demo\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_platform_limit_calls_per_second{platform=\"demo\"} 20\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_lane_calls_per_second{platform=\"demo\",lane=\"0\"} 2.5\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_lane_calls_per_second{platform=\"demo\",lane=\"3\"} 1.25\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_action_lag_messages{platform=\"demo\"} 7\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_kafka_commits_total 40\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_kafka_commit_failures_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_kafka_evictions_total 0\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_kafka_dead_lettered_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_kafka_records_lost_total 3\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_sink_records_saved_total{dataset=\"orders\"} 1000\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_sink_records_saved_total{dataset=\"finance\"} 900\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_sink_records_saved_total{dataset=\"returns\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_sink_duplicates_absorbed_total{dataset=\"orders\"} 12\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_sink_duplicates_absorbed_total{dataset=\"finance\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("backfill_progress_ignored_total 5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UnknownLag_LeavesTheSeriesOut_ButKeepsTheFamily()
    {
        var parsed = ExpositionParser.Parse(MetricsText.Write(Snapshot(lag: null)));

        Assert.Contains("backfill_action_lag_messages", parsed.Families.Keys);
        Assert.Empty(parsed.Samples("backfill_action_lag_messages"));
    }

    [Fact]
    public void Write_QuietPlatform_IsNotCoolingOffNorHeld()
    {
        var quiet = Snapshot() with
        {
            Platforms = [new PlatformFigures("demo", new PlatformTotals(0, 0, 0), new PlatformStatus("demo", 0, null, null, null, []), 0)],
        };

        var parsed = ExpositionParser.Parse(MetricsText.Write(quiet));

        Assert.Equal(0, parsed.Value("backfill_platform_cooling_off", ("platform", "demo")));
        Assert.Equal(0, parsed.Value("backfill_platform_release_held", ("platform", "demo")));
        Assert.Empty(parsed.Samples("backfill_lane_calls_per_second"));
    }

    [Fact]
    public void Write_Quotas_GrantedAndUsablePerPeriod_AndWhenASpentQuotaResumes()
    {
        var quota = Snapshot() with
        {
            Platforms =
            [
                new PlatformFigures("lz", new PlatformTotals(0, 0, 0), new PlatformStatus("lz", 0, null, null, null, [])
                {
                    QuotaSpentUntil = At.AddMinutes(1),
                    Quotas = [new QuotaUse(100, 80, TimeSpan.FromMinutes(1), 80, At.AddMinutes(1)), new QuotaUse(50_000, 40_000, TimeSpan.FromDays(1), 1_234, At.AddHours(4))],
                }, 0),
                new PlatformFigures("demo", new PlatformTotals(0, 0, 0), new PlatformStatus("demo", 0, null, null, null, []), 0),
            ],
        };

        var parsed = ExpositionParser.Parse(MetricsText.Write(quota));

        Assert.Equal(80, parsed.Value("backfill_quota_calls", ("platform", "lz"), ("period", "00:01:00")));
        Assert.Equal(1_234, parsed.Value("backfill_quota_calls", ("platform", "lz"), ("period", "1.00:00:00")));
        Assert.Equal(80, parsed.Value("backfill_quota_usable", ("platform", "lz"), ("period", "00:01:00")));
        Assert.Equal(40_000, parsed.Value("backfill_quota_usable", ("platform", "lz"), ("period", "1.00:00:00")));
        Assert.Equal(At.AddMinutes(1).ToUnixTimeSeconds(), parsed.Value("backfill_quota_spent_until_seconds", ("platform", "lz")));
        Assert.Equal(0, parsed.Value("backfill_quota_spent_until_seconds", ("platform", "demo")));
        Assert.Equal(2, parsed.Samples("backfill_quota_calls").Count());
    }

    [Fact]
    public void Write_ShopsByStatePerPlatform_AndTheSecondsLeftOfKnownExpiriesOnly()
    {
        var shops = Snapshot() with
        {
            Shops =
            [
                Shop("1001", "active", access: 3600, refresh: -20),
                Shop("1002", "needs-authorization", access: null, refresh: 86400),
                Shop("1003", "active", access: null, refresh: null),
            ],
        };

        var parsed = ExpositionParser.Parse(MetricsText.Write(shops));

        Assert.Equal(2, parsed.Value("backfill_shops", ("platform", "demo"), ("state", "active")));
        Assert.Equal(0, parsed.Value("backfill_shops", ("platform", "demo"), ("state", "disabled")));
        Assert.Equal(1, parsed.Value("backfill_shops", ("platform", "demo"), ("state", "needs-authorization")));
        Assert.Equal(
            [("1001", "access", 3600.0), ("1001", "refresh", -20), ("1002", "refresh", 86400)],
            parsed.Samples("backfill_shop_token_seconds_left").Select(s => (s.Labels.Single(l => l.Name == "shop").Value, s.Labels.Single(l => l.Name == "kind").Value, s.Value)));
        Assert.Empty(ExpositionParser.Parse(MetricsText.Write(Snapshot())).Samples("backfill_shops"));
    }

    private static Backfill.Scheduling.Shops.ShopView Shop(string shop, string state, long? access, long? refresh) =>
        new("demo", shop, null, state, "configuration", 0, refresh is not null, null, access, null, refresh, null, null, false, []);
}
