using Backfill.Platforms;
using System.Text;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

[Trait("Category", "Integration")]
public sealed class DeadLetterTests
{
    [Fact]
    public async Task MalformedActions_AreDeadLetteredWithTheirError_AndTheLaneGoesOn()
    {
        await using var harness = await Harness.StartAsync();
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var clients = host.Services.GetRequiredService<KafkaClients>();
        var topics = clients.Connection.Topics;
        var producer = host.Services.GetRequiredService<IProducer<string, byte[]>>();
        // On the partition of lane 0, where the first release goes, so the poison sits in front of the real work (R6).
        var lane0 = new TopicPartition(topics.Actions, LanePlan.Partition(Harness.Platform, 0, host.Services.GetRequiredService<ActionTopic>().Partitions()));
        await producer.ProduceAsync(lane0, new Message<string, byte[]> { Key = "sim:20001", Value = Encoding.UTF8.GetBytes("{not json") });
        var future = new ActionMessage
        {
            V = 99, Job = "j", Slice = "j/20001/20240305", Attempt = 1, Step = 0, Platform = Harness.Platform, Shop = "20001",
            From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch.AddDays(1), Lane = 0, Lanes = 1,
        };
        await producer.ProduceAsync(lane0, new Message<string, byte[]> { Key = "sim:20001", Value = MessageCodec.Encode(future) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 5), 1, "20001"), null, cts.Token);

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(2, summary.DeadLettered);
        var parked = ReadAll(clients, topics.DeadLetters, 2);
        Assert.Equal("{not json", Encoding.UTF8.GetString(parked[0].Value));
        Assert.Equal(MessageCodec.Encode(future), parked[1].Value);
        Assert.All(parked, m => Assert.Equal("sim:20001", m.Key));
        Assert.Contains("not a valid ActionMessage", Header(parked[0], DeadLetters.ErrorHeader), StringComparison.Ordinal);
        Assert.Contains("version 99", Header(parked[1], DeadLetters.ErrorHeader), StringComparison.Ordinal);
        Assert.Contains(topics.Actions, Header(parked[0], DeadLetters.SourceHeader), StringComparison.Ordinal);
    }

    private static string Header(Message<string, byte[]> message, string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));

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
