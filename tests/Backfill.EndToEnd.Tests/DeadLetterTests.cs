using System.Text;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
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
        using var host = InProcessRun.BuildHost(harness.Configuration());
        var clients = host.Services.GetRequiredService<KafkaClients>();
        var topics = clients.Connection.Topics;
        var producer = host.Services.GetRequiredService<IProducer<string, byte[]>>();
        // Same key as the real lane, so the poison sits in front of the real work on its partition (R6).
        await producer.ProduceAsync(topics.Actions, new Message<string, byte[]> { Key = "sim:20001", Value = Encoding.UTF8.GetBytes("{not json") });
        await producer.ProduceAsync(topics.Actions, new Message<string, byte[]> { Key = "sim:20001", Value = Encoding.UTF8.GetBytes("""{"v":99,"job":"j"}""") });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 5), 1, "20001"), null, cts.Token);

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(2, summary.DeadLettered);
        var parked = ReadAll(clients, topics.DeadLetters, 2);
        Assert.Equal(["{not json", """{"v":99,"job":"j"}"""], parked.Select(m => Encoding.UTF8.GetString(m.Value)));
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
