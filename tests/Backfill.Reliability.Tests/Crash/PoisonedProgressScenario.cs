using System.Diagnostics;
using System.Net;
using System.Text;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Topics;
using Backfill.Server.Jobs;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// poison-progress: during a 12-slice job run by real processes (dev-kafka, platform-sim, serve, 2 workers), one
/// well-formed progress report that no release caused — a success for a slice still pending, attempt 0 — is written to
/// the progress topic by an outside producer, as kcat would. The scheduler's progress reader parks it on the dead-letter
/// topic with why and reads on; the job succeeds with every order saved, and serve stays up and healthy. A reader that
/// ended on it would leave the job running with slices released for ever while the process looked alive.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PoisonedProgressScenario(ITestOutputHelper output)
{
    private const string Namespace = "backfill";

    [Fact]
    public async Task ASuccessForAPendingSliceFromOutside_IsParked_TheJobSucceeds_TheReaderLives()
    {
        var job = await CrashJob.ForAsync(shops: 2, new DateOnly(2024, 3, 4), days: 6);
        var fleet = await ProcessFleet.StartAsync("poison-progress", job.Shops, rate: 40, new Dictionary<string, string>
        {
            [$"Platforms:{ProcessFleet.Platform}:PageSize"] = "20",
            ["Worker:PagesPerStep"] = "1",
        });
        var topics = new TopicNames(Namespace);
        var passed = false;
        try
        {
            var serving = fleet.ServeAsync("serve", "serve");
            var workers = new[] { fleet.WorkerAsync("worker-1"), fleet.WorkerAsync("worker-2") };
            var (serve, api) = await serving;
            var pool = await Task.WhenAll(workers);
            var id = await fleet.CreateJobAsync(api, job.Body(TimeSpan.FromMilliseconds(500), slicesPerRelease: 2));

            // Mid-run: some slices done or under way, some still pending; the poison names the last pending one.
            IReadOnlyList<SliceView> slices = [];
            await fleet.Eventually(async () =>
            {
                slices = await fleet.SlicesAsync(api, id);
                return slices.Any(s => State(s) is "running" or "succeeded") && slices.Count(s => State(s) == "pending") >= 2;
            }, TimeSpan.FromSeconds(60), "a job half way");
            var target = slices.Last(s => State(s) == "pending");
            var poison = new ProgressMessage
            {
                Kind = ProgressKind.SliceSucceeded, Job = id, Slice = target.Slice, Attempt = 0, Step = 0, Worker = "outsider", At = DateTimeOffset.UtcNow,
            };
            var atPoison = slices.GroupBy(State).ToDictionary(g => g.Key, g => g.Count());
            using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers }).Build())
            {
                await producer.ProduceAsync(topics.Progress, new Message<string, byte[]> { Key = id, Value = MessageCodec.Encode(poison) });
            }

            var sent = Stopwatch.StartNew();
            JobStatus status = null!;
            await fleet.Eventually(async () => (status = await fleet.JobAsync(api, id)).IsFinished(), TimeSpan.FromSeconds(90), $"job {id} to finish");
            var finishedAfter = sent.Elapsed;
            Assert.Equal("succeeded", status.State);
            Assert.Equal(job.Slices, status.Slices.Succeeded);
            Assert.Equal(1, (await fleet.SlicesAsync(api, id)).Single(s => s.Slice == poison.Slice).Attempt);

            // The reader survived: serve is up, healthy, and says what it parked.
            Assert.False(serve.HasExited, $"serve exited: {serve.Describe()}");
            using (var health = await fleet.Http.GetAsync(new Uri(api, "healthz")))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            var metrics = await fleet.Http.GetStringAsync(new Uri(api, "metrics"));
            var deadLettered = Sample(metrics, "backfill_kafka_dead_lettered_total");
            Assert.Equal(1, deadLettered);

            var parked = Assert.Single(ReadAll(fleet.BootstrapServers, topics.DeadLetters));
            Assert.Equal(MessageCodec.Encode(poison), parked.Value);
            var reason = Header(parked, DeadLetters.ErrorHeader);
            Assert.Contains($"attempt 0 of slice {poison.Slice} was never released", reason, StringComparison.Ordinal);
            Assert.Equal("progress", Header(parked, DeadLetters.StageHeader));

            await fleet.DrainSinkAsync(TimeSpan.FromSeconds(30));
            await serve.StopAsync(TimeSpan.FromSeconds(20));
            await Task.WhenAll(pool.Select(w => w.StopAsync(TimeSpan.FromSeconds(20))));
            var (unique, duplicates) = job.Sink(fleet.DatabasePath());
            Assert.Equal(job.ExpectedOrders, unique);

            ScenarioFigures.Record(output, "poison-progress", new
            {
                processes = "dev-kafka, platform-sim, serve, 2 workers; one progress report produced by a plain Confluent producer",
                injected = $"sliceSucceeded, attempt 0, for pending slice {poison.Slice}",
                slices = job.Slices,
                atPoison,
                succeeded = status.Slices.Succeeded,
                secondsFromPoisonToSucceeded = Math.Round(finishedAfter.TotalSeconds, 1),
                deadLettered,
                reason,
                serveAlive = true,
                healthz = 200,
                ordersExpected = job.ExpectedOrders,
                ordersUnique = unique,
                duplicatesAbsorbed = duplicates,
            });
            passed = true;
        }
        finally
        {
            await fleet.DisposeAsync();
            if (passed)
            {
                fleet.DeleteFolder();
            }
            else
            {
                output.WriteLine($"logs kept in {fleet.Children.LogDirectory}");
            }
        }
    }

    private static string State(SliceView slice) => slice.State;

    private static long Sample(string metrics, string series) =>
        long.Parse(metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string Header(Message<string, byte[]> message, string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));

    private static List<Message<string, byte[]>> ReadAll(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"dlq-{Guid.NewGuid():N}", EnablePartitionEof = true }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var messages = new List<Message<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            switch (consumer.Consume(TimeSpan.FromMilliseconds(200)))
            {
                case { IsPartitionEOF: true }:
                    return messages;
                case { } r:
                    messages.Add(r.Message);
                    break;
            }
        }

        return messages;
    }
}
