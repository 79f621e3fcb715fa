using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Tests.Metrics;

[Trait("Category", "Integration")]
public sealed class MetricsApiTests
{
    private static readonly string[] Families =
    [
        "backfill_jobs", "backfill_slices", "backfill_releases_total", "backfill_slices_restarted_total", "backfill_platform_pages_total", "backfill_platform_throttles_total",
        "backfill_platform_cooling_off", "backfill_platform_release_held", "backfill_quota_calls", "backfill_quota_usable", "backfill_quota_spent_until_seconds", "backfill_platform_limit_calls_per_second", "backfill_lane_calls_per_second", "backfill_action_lag_messages",
        "backfill_action_partition_lag_messages", "backfill_lane_pages_total", "backfill_platform_partition_skew",
        "backfill_worker_commit_failures_total", "backfill_worker_evictions_total",
        "backfill_kafka_commits_total", "backfill_kafka_commit_failures_total", "backfill_kafka_evictions_total", "backfill_kafka_dead_lettered_total", "backfill_kafka_records_lost_total",
        "backfill_sink_records_saved_total", "backfill_sink_duplicates_absorbed_total", "backfill_progress_ignored_total", "backfill_progress_delay_seconds",
        "backfill_token_refreshes_total",
        "backfill_shops", "backfill_shop_token_seconds_left",
    ];

    [Fact]
    public async Task Get_WithoutAuth_Answers200InTextFormat004_WithEveryFamily()
    {
        await using var harness = await ServerHarness.StartAsync();

        using var response = await harness.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var parsed = ExpositionParser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Families.Order(), parsed.Families.Keys.Order());
        Assert.All(parsed.Samples("backfill_jobs"), s => Assert.Equal(0, s.Value));
        Assert.Equal(0, parsed.Value("backfill_releases_total", ("platform", "demo")));
        Assert.Equal(0, parsed.Value("backfill_action_lag_messages", ("platform", "demo")));
        Assert.Equal(0, parsed.Value("backfill_sink_records_saved_total", ("dataset", "orders")));
        Assert.Equal(0, parsed.Value("backfill_sink_records_saved_total", ("dataset", "finance")));
        Assert.Equal(40, parsed.Value("backfill_platform_limit_calls_per_second", ("platform", "demo")));
    }

    [Fact]
    public async Task LimitSeries_FollowsALimitSetWhileRunning_AndItsReset()
    {
        await using var harness = await ServerHarness.StartAsync();

        using var set = await harness.Http.PostAsync("/api/platforms/demo/limit", new StringContent("""{"permitsPerSecond": 12}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Poll.Eventually(async () => await LimitAsync(harness) == 12, TimeSpan.FromSeconds(30), "the live limit in /metrics");

        using var reset = await harness.Http.PostAsync("/api/platforms/demo/limit", new StringContent("""{"permitsPerSecond": null}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        await Poll.Eventually(async () => await LimitAsync(harness) == 40, TimeSpan.FromSeconds(30), "the configured limit back in /metrics");
    }

    [Fact]
    public async Task AfterASmallJob_TheFiguresEqualTheStoreTheBoardAndTheSink()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = ServerHarness.Shops, from = "2024-03-04", to = "2024-03-07", releaseEvery = "00:00:00.200" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var job = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
            var jobs = harness.App.Services.GetRequiredService<JobStore>();
            var orders = harness.App.Services.GetRequiredService<Storage.Records.RecordStore>();
            var expected = ServerHarness.Shops.Sum(shop => harness.Simulator.ExpectedOrders(shop, new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 7, 0, 0, 0, TimeSpan.Zero)));

            // The job ends first; the sink catches up a little later. The last slice and its job are saved one after the
            // other, so a scrape between them sees every slice succeeded and the job still running: wait for both.
            ExpositionParser metrics = null!;
            await Poll.Eventually(async () =>
            {
                metrics = ExpositionParser.Parse(await harness.Http.GetStringAsync("/metrics"));
                return metrics.Value("backfill_slices", ("job", job), ("platform", "demo"), ("state", "succeeded")) == 6
                    && metrics.Value("backfill_jobs", ("state", "succeeded")) == 1
                    && metrics.Value("backfill_sink_records_saved_total", ("dataset", "orders")) == expected;
            }, TimeSpan.FromSeconds(90), "the job to succeed and the sink to hold its orders");

            // The lag is that of the platform's lane partitions, read from the worker group's committed offsets. Not
            // necessarily 0 here: a commit refused during a rebalance is not retried until the next message on its partition.
            var plan = LanePlan.For(harness.App.Services.GetRequiredService<IOptionsMonitor<PlatformOptions>>().Get("demo").RateLimit);
            var topic = harness.App.Services.GetRequiredService<ActionTopic>();
            var lanePartitions = Enumerable.Range(0, plan.Lanes).Select(lane => LanePlan.Partition("demo", lane, topic.Partitions())).ToList();
            await Poll.Eventually(async () =>
            {
                var lag = await topic.LagAsync(lanePartitions, CancellationToken.None);
                return ExpositionParser.Parse(await harness.Http.GetStringAsync("/metrics")).Value("backfill_action_lag_messages", ("platform", "demo")) == lag;
            }, TimeSpan.FromSeconds(30), "the lag metric to equal the lag of the lanes' partitions");

            var slices = jobs.Slices(job);
            var status = await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}");
            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            foreach (var state in new[] { "pending", "released", "running", "failed", "cancelled" })
            {
                Assert.Equal(0, metrics.Value("backfill_slices", ("job", job), ("platform", "demo"), ("state", state)));
            }

            Assert.Equal(1, metrics.Value("backfill_jobs", ("state", "succeeded")));
            Assert.Equal(0, metrics.Value("backfill_jobs", ("state", "running")));
            Assert.Equal(slices.Sum(s => s.Attempt), metrics.Value("backfill_releases_total", ("platform", "demo")));
            Assert.Equal(slices.Sum(s => s.Pages), metrics.Value("backfill_platform_pages_total", ("platform", "demo")));
            Assert.True(slices.Sum(s => s.Pages) >= 6, "every slice fetched at least one page");
            var platform = status.GetProperty("platforms")[0];
            Assert.Equal(platform.GetProperty("throttles").GetInt64(), metrics.Value("backfill_platform_throttles_total", ("platform", "demo")));
            var lanes = platform.GetProperty("lanes").EnumerateArray().ToList();
            Assert.NotEmpty(lanes);
            Assert.Equal(
                lanes.Select(l => (l.GetProperty("lane").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), l.GetProperty("rate").GetDouble())).Order(),
                metrics.Samples("backfill_lane_calls_per_second").Select(s => (s.Labels.Single(l => l.Name == "lane").Value, s.Value)).Order());
            var sink = orders.Totals(Core.Data.Datasets.Orders);
            Assert.Equal(sink.Unique, metrics.Value("backfill_sink_records_saved_total", ("dataset", "orders")));
            Assert.Equal(sink.DuplicatesAbsorbed, metrics.Value("backfill_sink_duplicates_absorbed_total", ("dataset", "orders")));
            Assert.Equal(0, metrics.Value("backfill_kafka_commit_failures_total"));
            Assert.Equal(0, metrics.Value("backfill_kafka_evictions_total"));
            Assert.True(metrics.Value("backfill_kafka_commits_total") > 0, "the scheduler's readers commit what they applied");
            Assert.Equal(0, metrics.Value("backfill_platform_cooling_off", ("platform", "demo")));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    private static async Task<double> LimitAsync(ServerHarness harness) =>
        ExpositionParser.Parse(await harness.Http.GetStringAsync("/metrics")).Value("backfill_platform_limit_calls_per_second", ("platform", "demo"));
}
