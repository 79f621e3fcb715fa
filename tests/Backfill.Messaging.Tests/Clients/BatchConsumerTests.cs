using System.Collections.Concurrent;
using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backfill.Messaging.Tests.Clients;

/// <summary>The scheduler's readers (progress, order sink) on the embedded mock cluster.</summary>
[Trait("Category", "Integration")]
public sealed class BatchConsumerTests
{
    [Fact]
    public async Task MoreMessagesThanOneBatch_AreEachHandedOverOnce_NoneSkippedAtTheBatchLimit()
    {
        var count = (BatchConsumer.MaxBatch * 3) + 7;
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var topic = connection.Topics.Orders;
        using (var producer = clients.CreateProducer("test"))
        {
            for (var i = 0; i < count; i++)
            {
                producer.Produce(topic, new Message<string, byte[]> { Key = $"k{i}", Value = [1] });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var seen = new ConcurrentDictionary<string, int>();
        var batches = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = new BatchConsumer(clients, counters, NullLogger.Instance);
        var run = reader.RunAsync(connection.Topics.SinkGroup, topic, batch =>
        {
            batches.Add(batch.Count);
            foreach (var message in batch)
            {
                seen.AddOrUpdate(message.Message.Key, 1, (_, n) => n + 1);
            }

            if (seen.Count == count)
            {
                stop.CancelAfter(TimeSpan.FromMilliseconds(500));
            }
        }, stop.Token);
        await run;

        Assert.Equal(count, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Contains(BatchConsumer.MaxBatch, batches);
    }
}
