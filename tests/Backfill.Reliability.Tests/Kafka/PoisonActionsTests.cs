using System.Diagnostics;
using System.Text;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>
/// R6: poison on the action topic, in front of real work on the same lane. <c>DeadLetterTests</c> covers malformed JSON
/// and an unknown future version; here random bytes, the previous schema version and a 2 MB message: each must be
/// parked with its reason, and the lane must go on past them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PoisonActionsTests(ITestOutputHelper output)
{
    /// <summary>Within the mock broker's limits; twice librdkafka's default <c>message.max.bytes</c>.</summary>
    private const int HugeBytes = 2 * 1024 * 1024;

    [Fact]
    public async Task RandomBytesOldVersionAndHugeAction_AreEachParkedWithTheirReason_AndTheLaneGoesOnPastThem()
    {
        await using var harness = await Harness.StartAsync();
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var clients = host.Services.GetRequiredService<KafkaClients>();
        var topics = clients.Connection.Topics;
        var lane0 = new TopicPartition(topics.Actions, LanePlan.Partition(Harness.Platform, 0, host.Services.GetRequiredService<ActionTopic>().Partitions()));

        var random = new byte[300];
        new Random(6).NextBytes(random);
        var action = new ActionMessage
        {
            Job = "poison", Slice = "poison/20001/20240305", Attempt = 1, Step = 0, Platform = Harness.Platform, Shop = "20001",
            From = new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2024, 3, 6, 0, 0, 0, TimeSpan.Zero), Lane = 0, Lanes = 1,
        };
        var old = MessageCodec.Encode(action with { V = 0 });

        // A well-formed action padded with JSON whitespace to 2 MB: it decodes, so only a size check can refuse it.
        var encoded = MessageCodec.Encode(action);
        var huge = new byte[HugeBytes];
        encoded.CopyTo(huge, 0);
        huge.AsSpan(encoded.Length).Fill((byte)' ');

        var poison = new List<(string Kind, byte[] Value, string Reason)>
        {
            ("random bytes", random, "not a valid ActionMessage"),
            ("schema version 0", old, "version 0 is not supported"),
            ("2 MB", huge, $"an action of {HugeBytes} bytes is over the limit"),
        };
        var offsets = new List<long>();
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = clients.Connection.BootstrapServers, MessageMaxBytes = 3 * 1024 * 1024 }).Build())
        {
            foreach (var (_, value, _) in poison)
            {
                offsets.Add((await producer.ProduceAsync(lane0, new Message<string, byte[]> { Key = "sim/0", Value = value })).Offset.Value);
            }
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 5), 1, "20001"), null, cts.Token);

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(poison.Count, summary.DeadLettered);
        var parked = ReadAll(clients, topics.DeadLetters, poison.Count);
        Assert.Equal(poison.Count, parked.Count);
        for (var i = 0; i < poison.Count; i++)
        {
            var (kind, value, reason) = poison[i];
            var message = parked.Single(m => Header(m, DeadLetters.SourceHeader) == new TopicPartitionOffset(lane0, offsets[i]).ToString());
            Assert.True(Header(message, DeadLetters.ErrorHeader).Contains(reason, StringComparison.Ordinal), $"{kind}: {Header(message, DeadLetters.ErrorHeader)}");
            Assert.Equal("decode", Header(message, DeadLetters.StageHeader));
            if (value.Length <= DeadLetters.MaxValueBytes)
            {
                Assert.Equal(value, message.Value);
            }
            else
            {
                // Parked whole it would be too big for the producer, and would fail to park for ever: its beginning is kept.
                Assert.Equal(value.AsSpan(0, DeadLetters.MaxValueBytes).ToArray(), message.Value);
                Assert.Equal($"{value.Length}", Header(message, DeadLetters.OriginalBytesHeader));
            }
        }

        var committed = Committed(clients, topics.WorkerGroup, lane0);
        Assert.True(committed > offsets[^1], $"the worker group's offset on {lane0} is {committed}, not past the poison at {offsets[^1]}");
        ScenarioFigures.Record(output, "R6", new
        {
            poison = poison.Select(p => p.Kind),
            deadLettered = summary.DeadLettered,
            reasons = parked.Select(m => Header(m, DeadLetters.ErrorHeader)),
            committedOffset = committed,
            lastPoisonOffset = offsets[^1],
            slices = summary.Slices.Total,
            slicesSucceeded = summary.Slices.Succeeded,
            ordersExpected = summary.OrdersExpected,
            ordersUnique = summary.OrdersUnique,
            duplicatesAbsorbed = summary.DuplicatesAbsorbed,
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
        });
    }

    private static string Header(Message<string, byte[]> message, string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));

    private static long Committed(KafkaClients clients, string group, TopicPartition partition)
    {
        // An offset fetch for the group without joining it: what a restarted worker would start from.
        using var consumer = clients.ConsumerBuilder(group, "offset-reader").Build();
        return consumer.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value;
    }

    private static List<Message<string, byte[]>> ReadAll(KafkaClients clients, string topic, int count)
    {
        using var consumer = clients.ConsumerBuilder("dlq-reader", "dlq-reader").Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var messages = new List<Message<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (messages.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } r)
            {
                messages.Add(r.Message);
            }
        }

        return messages;
    }
}
