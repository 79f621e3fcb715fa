using System.Diagnostics;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Storage;
using Backfill.Worker;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>
/// R3: a consumer whose work between polls outlasted <c>max.poll.interval.ms</c> was evicted, its commits failed
/// silently, and the same actions were redone for ever. Here every platform call takes 2 s and a step takes three pages (
/// two calls a page) so one step lasts longer than a 10 s poll interval, and offset commits are refused while it runs.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LongStepTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CallLatency = TimeSpan.FromSeconds(2);
    private const int PagesPerStep = 3;

    [Fact]
    public async Task StepsLongerThanThePollInterval_NoEviction_RefusedCommitsAreCounted_AndEverySliceFinishesOnce()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = MockCluster.Start();
        cluster.CreateTopics(new TopicNames("e2e").Specs(new Messaging.TopicPartitionOptions { Actions = 4, Orders = 4, Progress = 2 }));
        harness.Settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        harness.Settings["Kafka:GroupProtocol"] = "consumer";
        harness.Settings["Kafka:MaxPollInterval"] = PollInterval.ToString();
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "20";
        harness.Settings["Worker:PagesPerStep"] = $"{PagesPerStep}";
        var days = BusyDays(harness, "20001", 2);
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var counters = host.Services.GetRequiredService<KafkaCounters>();
        var stats = host.Services.GetRequiredService<WorkerStats>();
        var store = host.Services.GetRequiredService<JobStore>();
        harness.Simulator.Switches.Latency = CallLatency;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();

        var run = InProcessRun.RunAsync(host, harness.Request(days[0], 2, "20001"), null, cts.Token);
        // While the first long steps run: the next commits (of any consumer here) are refused, as during a rebalance.
        await Poll.Eventually(() => stats.Steps > 0 || run.IsCompleted, TimeSpan.FromSeconds(40), "a first step to finish");
        cluster.FailNextRequests(KafkaApi.OffsetCommit, ErrorCode.RebalanceInProgress, ErrorCode.RebalanceInProgress, ErrorCode.RebalanceInProgress);
        var summary = await run;

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(2, summary.Slices.Succeeded);
        Assert.True(stats.LongestStep > PollInterval, $"a step must outlast the poll interval to prove the point; the longest took {stats.LongestStep}");

        // Polling went on while steps ran: nobody was evicted.
        Assert.Equal(0, counters.Evictions);

        // A refused commit is an alarm in the run's summary (what `run --json` and /metrics show), not only a log line.
        Assert.True(summary.CommitFailures > 0, "the refused commits must be counted");
        Assert.Equal(counters.CommitFailures, summary.CommitFailures);

        // Every slice ran once: one attempt, each step done once, one success each.
        var slices = store.Slices(summary.Job);
        Assert.All(slices, s => Assert.Equal(1, s.Attempt));
        var steps = slices.Sum(s => s.Step + 1);
        Assert.Equal(steps, stats.Steps);
        Assert.Equal(0, stats.DuplicatesDropped);
        Assert.All(slices, s => Assert.Single(store.History(s.Id), t => t.To == nameof(SliceState.Succeeded)));
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(0, summary.DuplicatesAbsorbed);

        ScenarioFigures.Record(output, "R3", new
        {
            callLatencyMs = CallLatency.TotalMilliseconds,
            maxPollIntervalMs = PollInterval.TotalMilliseconds,
            pagesPerStep = PagesPerStep,
            longestStepMs = Math.Round(stats.LongestStep.TotalMilliseconds),
            evictions = counters.Evictions,
            commitsInjectedToFail = 3,
            commitFailures = summary.CommitFailures,
            commits = counters.Commits,
            slices = summary.Slices.Total,
            slicesSucceeded = summary.Slices.Succeeded,
            steps,
            stepsRun = stats.Steps,
            ordersExpected = summary.OrdersExpected,
            ordersUnique = summary.OrdersUnique,
            duplicatesAbsorbed = summary.DuplicatesAbsorbed,
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
        });
    }

    /// <summary>Consecutive days from 2024-01-01 on whose orders need more than one step of <see cref="PagesPerStep"/> pages of 20.</summary>
    private static DateOnly[] BusyDays(Harness harness, string shop, int count)
    {
        for (var day = new DateOnly(2024, 1, 1); ; day = day.AddDays(1))
        {
            var run = Enumerable.Range(0, count).Select(i => day.AddDays(i)).ToArray();
            if (run.All(d => harness.Simulator.ExpectedOrders(shop, Start(d), Start(d.AddDays(1))) is > PagesPerStep * 20 and < PagesPerStep * 20 * 2))
            {
                return run;
            }
        }
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
