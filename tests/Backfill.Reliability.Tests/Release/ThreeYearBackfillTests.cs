using System.Diagnostics;
using System.Globalization;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Topics;
using Backfill.Scheduling;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Release;

/// <summary>
/// R1: a 3-year backfill of 50 shops started at once (54,750 day slices). The scheduler runs on a fake clock and no
/// worker consumes, so whatever reaches the action topic stays there: it must be only the released slices, one batch
/// per period (a slice of each shop) until the platform's in-flight cap, and nothing more however many periods pass;
/// LiteDB keeps the rest.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ThreeYearBackfillTests(ITestOutputHelper output)
{
    private const int ShopCount = 50;
    private const int SlicesPerRelease = 1;
    private const int Batch = ShopCount * SlicesPerRelease;
    private const int Cap = 120;
    private static readonly TimeSpan Cadence = TimeSpan.FromMinutes(5);
    private static readonly DateOnly From = new(2021, 1, 1);
    private static readonly DateOnly To = new(2024, 1, 1);

    [Fact]
    public async Task ThreeYearsOfFiftyShops_KafkaHoldsOnlyReleasedSlices_LiteDbTheRest_ReleasesFollowTheCadence()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = Cap.ToString(CultureInfo.InvariantCulture);
        var shops = Enumerable.Range(1, ShopCount).Select(i => (30_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var shop in shops)
        {
            harness.Settings[$"Platforms:{Harness.Platform}:Shops:{shop}:AccessToken"] = $"token-{shop}";
        }

        // No worker runs here, so no slice ever reports: released slices would count as stuck after StuckAfter of the
        // fake clock (the test moves it 50 min) and be released again, which is not what this scenario measures.
        harness.Settings["Backfill:StuckAfter"] = "1.00:00:00";
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var logs = new LogCapture();
        using var host = SchedulerHost(harness, time, logs);
        await host.StartAsync();
        try
        {
            var planning = Stopwatch.StartNew();
            var (job, slices) = await host.Services.GetRequiredService<JobPlanner>().CreateAsync(
                new BackfillRequest(Harness.Platform, shops, From, To) { ReleaseEvery = Cadence, SlicesPerRelease = SlicesPerRelease },
                CancellationToken.None);
            var planTime = planning.Elapsed;
            var expected = ShopCount * (To.DayNumber - From.DayNumber);
            Assert.Equal(expected, slices);

            var store = host.Services.GetRequiredService<JobStore>();
            var onKafka = new ActionMessages(cluster.BootstrapServers, new TopicNames("e2e").Actions);
            var releasedPerPeriod = new List<int>();
            var maxOnKafka = 0L;
            var tickTimes = new List<double>();

            // Period 1 is the trigger's first fire at creation; each further period is one move of the clock.
            for (var period = 1; period <= (2 * Cap / Batch) + 1; period++)
            {
                var tick = Stopwatch.StartNew();
                if (period > 1)
                {
                    time.Advance(Cadence);
                }

                await Poll.Eventually(() => Ticks(logs, job.Id) >= period, TimeSpan.FromSeconds(20), $"release tick {period} of {job.Id}");
                tickTimes.Add(tick.Elapsed.TotalMilliseconds);
                var released = InFlight(store, job.Id);
                releasedPerPeriod.Add(released - releasedPerPeriod.Sum());
                var messages = onKafka.Count();
                maxOnKafka = Math.Max(maxOnKafka, messages);

                // One batch per period until the cap; Kafka holds exactly the released slices; LiteDB holds every other one Pending.
                Assert.Equal(Math.Min(period * Batch, Cap), released);
                Assert.Equal(released, messages);
                Assert.Equal(expected - released, store.Count(job.Id, SliceState.Pending));
            }

            Assert.Equal(expected, store.Counts(job.Id).Total);

            // What one release tick of this job costs the scheduler (store reads, lag query), with the release gate held.
            var held = Stopwatch.StartNew();
            Assert.Equal(0, await host.Services.GetRequiredService<ReleaseService>().ReleaseAsync(job.Id, CancellationToken.None));
            var heldTick = held.Elapsed;
            ScenarioFigures.Record(output, "R1", new
            {
                shops = ShopCount,
                days = To.DayNumber - From.DayNumber,
                slices = expected,
                planSeconds = Math.Round(planTime.TotalSeconds, 2),
                slicesStored = store.Counts(job.Id).Total,
                cap = Cap,
                slicesPerRelease = SlicesPerRelease,
                periods = releasedPerPeriod.Count,
                releasedPerPeriod,
                maxMessagesOnKafka = maxOnKafka,
                pendingInLiteDb = store.Count(job.Id, SliceState.Pending),
                slowestTickMs = Math.Round(tickTimes.Skip(1).DefaultIfEmpty(0).Max()),
                heldTickMs = Math.Round(heldTick.TotalMilliseconds),
            });
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Release ticks of the job that ended, whether they released or held back.</summary>
    private static int Ticks(LogCapture logs, string job) =>
        logs.Count($"Job {job}: released ") + logs.Count($"Job {job}: nothing released");

    private static int InFlight(JobStore store, string job) =>
        store.Count(job, SliceState.Released) + store.Count(job, SliceState.Running);

    /// <summary><c>serve</c>'s scheduler without its HTTP API and without workers, its clock (Quartz's too) the test's.</summary>
    private static IHost SchedulerHost(Harness harness, FakeTimeProvider time, LogCapture logs)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(harness.Configuration());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Scheduler);
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug).AddFilter("Backfill.Scheduling.ReleaseService", LogLevel.Debug)
            .AddFilter("Microsoft", LogLevel.Warning).AddFilter("Quartz", LogLevel.Warning);
        return builder.Build();
    }

    /// <summary>Messages on the action topic, from its watermarks: what Kafka holds, consumed or not.</summary>
    private sealed class ActionMessages(string bootstrapServers, string topic)
    {
        public long Count()
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "r1-count" }).Build();
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Single().Partitions;
            return partitions.Sum(p =>
            {
                var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(5));
                return marks.High.Value - marks.Low.Value;
            });
        }
    }
}
