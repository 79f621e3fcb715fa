using System.Text;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// A well-formed progress report that no release caused — a success for a slice still pending, attempt 0, written by an
/// outside client — arrives while a job runs. It is parked on the dead-letter topic with why, the progress reader goes
/// on, and the job succeeds with every order: a reader that ended on it would leave the job running for ever.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PoisonedProgressTests
{
    [Fact]
    public async Task ASuccessReportedForAPendingSlice_IsParkedWithWhy_AndTheJobStillSucceeds()
    {
        await using var harness = await Harness.StartAsync();
        harness.Settings["Backfill:ReleaseEvery"] = "00:00:00.500";
        harness.Settings["Backfill:SlicesPerRelease"] = "2";
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var store = host.Services.GetRequiredService<JobStore>();
        var connection = host.Services.GetRequiredService<KafkaConnection>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        ProgressMessage? poison = null;

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 6), snapshot =>
        {
            if (poison is null && snapshot.Slices.Pending > 0 && snapshot.Slices.Pending < snapshot.Slices.Total)
            {
                var pending = store.Slices(snapshot.Job, SliceState.Pending)[^1];
                poison = new ProgressMessage { Kind = ProgressKind.SliceSucceeded, Job = snapshot.Job, Slice = pending.Id, Attempt = 0, Step = 0, Worker = "outsider", At = DateTimeOffset.UtcNow };
                ProduceAsOutsider(connection.BootstrapServers, connection.Topics.Progress, poison);
            }
        }, cts.Token);

        Assert.NotNull(poison);
        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(12, summary.Slices.Succeeded);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(1, summary.DeadLettered);
        Assert.Empty(host.Services.GetRequiredService<KafkaCounters>().EndedReaders);
        var parked = Assert.Single(ReadAll(connection, connection.Topics.DeadLetters));
        Assert.Equal(MessageCodec.Encode(poison), parked.Value);
        Assert.Equal("progress", Header(parked, DeadLetters.StageHeader));
        Assert.Contains($"attempt 0 of slice {poison.Slice} was never released", Header(parked, DeadLetters.ErrorHeader), StringComparison.Ordinal);
        Assert.Contains(connection.Topics.Progress, Header(parked, DeadLetters.SourceHeader), StringComparison.Ordinal);
    }

    /// <summary>As kcat would: a plain producer, nothing of the product's.</summary>
    private static void ProduceAsOutsider(string bootstrap, string topic, ProgressMessage report)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        producer.Produce(topic, new Message<string, byte[]> { Key = report.Job, Value = MessageCodec.Encode(report) });
        producer.Flush(TimeSpan.FromSeconds(10));
    }

    private static string Header(Message<string, byte[]> message, string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));

    private static List<Message<string, byte[]>> ReadAll(KafkaConnection connection, string topic)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = connection.BootstrapServers, GroupId = $"dlq-{Guid.NewGuid():N}", EnablePartitionEof = true }).Build();
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
