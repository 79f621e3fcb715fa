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

    [Fact]
    public async Task ABatchWithOneBadMessage_IsHandledAgainOneByOne_TheOthersGoThrough()
    {
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var topic = connection.Topics.Orders;
        Produce(clients, topic, Enumerable.Range(0, 50).Select(i => $"k{i}"));

        var saved = new ConcurrentDictionary<string, int>();
        var parked = new ConcurrentBag<(string Key, string Why)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = new BatchConsumer(clients, counters, NullLogger.Instance);
        await reader.RunAsync(connection.Topics.SinkGroup, topic, batch =>
        {
            // All or nothing, like the sink's one transaction per batch.
            if (batch.Any(m => m.Message.Key == "k13"))
            {
                throw new InvalidOperationException("Pending → Succeeded is not allowed.");
            }

            foreach (var message in batch)
            {
                saved.AddOrUpdate(message.Message.Key, 1, (_, n) => n + 1);
            }

            if (saved.Count == 49)
            {
                stop.CancelAfter(TimeSpan.FromMilliseconds(500));
            }
        }, stop.Token, (message, why, _) =>
        {
            parked.Add((message.Message.Key, why));
            return Task.CompletedTask;
        });

        Assert.Equal(49, saved.Count);
        Assert.All(saved.Values, n => Assert.Equal(1, n));
        var (key, why) = Assert.Single(parked);
        Assert.Equal(("k13", "InvalidOperationException: Pending → Succeeded is not allowed."), (key, why));
        Assert.Empty(counters.EndedReaders);
    }

    [Fact]
    public async Task AnInfrastructureFailureThatPasses_IsRetried_NothingParked()
    {
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var topic = connection.Topics.Progress;
        Produce(clients, topic, ["k0", "k1"]);

        var failures = 0;
        var handled = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = new BatchConsumer(clients, counters, NullLogger.Instance) { Failures = new HandlerFailures(5, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)) };
        await reader.RunAsync(connection.Topics.ProgressGroup, topic, batch =>
        {
            if (batch.Any(m => m.Message.Key == "k0") && Interlocked.Increment(ref failures) <= 3)
            {
                throw new IOException("the disk is busy");
            }

            foreach (var message in batch)
            {
                if (handled.AddOrUpdate(message.Message.Key, 1, (_, n) => n + 1) == 1 && handled.Count == 2)
                {
                    stop.CancelAfter(TimeSpan.FromMilliseconds(300));
                }
            }
        }, stop.Token, (_, why, _) => throw new InvalidOperationException($"parked: {why}"));

        Assert.Equal(4, failures);
        Assert.Equal(2, handled.Count);
        Assert.Empty(counters.EndedReaders);
    }

    [Fact]
    public async Task AnInfrastructureFailureThatLasts_EndsTheReader_AndSaysSo()
    {
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var topic = connection.Topics.Progress;
        Produce(clients, topic, ["k0"]);

        var tries = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = new BatchConsumer(clients, counters, NullLogger.Instance) { Failures = new HandlerFailures(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)) };
        var run = reader.RunAsync(connection.Topics.ProgressGroup, topic, _ =>
        {
            Interlocked.Increment(ref tries);
            throw new IOException("the disk is gone");
        }, stop.Token, (_, why, _) => throw new InvalidOperationException($"parked: {why}"));

        var ended = await counters.FirstReaderEnded.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HandlerFailedException>(() => run);
        Assert.Equal(3, tries);
        Assert.Contains(topic, ended, StringComparison.Ordinal);
        Assert.Contains("failed 3 times in a row; last: IOException: the disk is gone", ended, StringComparison.Ordinal);
        var (reader1, reason) = Assert.Single(counters.EndedReaders);
        Assert.Equal($"{topic} (group {connection.Topics.ProgressGroup})", reader1);
        Assert.StartsWith("HandlerFailedException:", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RecordsDroppedBeforeAReaderCameBack_AreSaidAndCounted_WhenItsTopicsAreContiguous(bool contiguous)
    {
        // The mock cluster keeps at most 5 MiB of a partition: what is produced beyond that drops the oldest records, as a
        // real broker's retention would for a reader that stayed away too long.
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var partition = new TopicPartition(connection.Topics.Orders, 0);
        var group = connection.Topics.SinkGroup;
        ProduceTo(clients, partition, count: 10, size: 1);
        Assert.Equal(10, (await ReadAllAsync(clients, counters, group, partition, contiguous)).Count);

        ProduceTo(clients, partition, count: 80, size: 100 * 1024);
        var (low, high) = Watermarks(clients, group, partition);
        var read = await ReadAllAsync(clients, counters, group, partition, contiguous);

        Assert.True(low > 10, $"the mock cluster kept every record (low watermark {low})");
        Assert.Equal(high - low, read.Count);
        Assert.Equal(contiguous ? low - 10 : 0, counters.RecordsLost);
        Assert.Equal(contiguous ? [(partition, 10, low - 1)] : [], read.Lost);
    }

    [Fact]
    public async Task APartitionTheGroupNeverCommitted_IsExpectedFromItsBeginning()
    {
        using var connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"batch{Guid.NewGuid():N}" });
        var counters = new KafkaCounters();
        var clients = new KafkaClients(connection, counters, NullLoggerFactory.Instance);
        var partition = new TopicPartition(connection.Topics.Orders, 0);
        ProduceTo(clients, partition, count: 80, size: 100 * 1024);
        var (low, _) = Watermarks(clients, connection.Topics.SinkGroup, partition);

        var read = await ReadAllAsync(clients, counters, connection.Topics.SinkGroup, partition, contiguous: true);

        Assert.True(low > 0, $"the mock cluster kept every record (low watermark {low})");
        Assert.Equal([(partition, 0, low - 1)], read.Lost);
        Assert.Equal(low, counters.RecordsLost);
    }

    /// <summary>Reads <paramref name="partition"/>'s topic in <paramref name="group"/> until the partition's end; returns how many records it read, and the runs it was told were lost.</summary>
    private static async Task<(long Count, List<(TopicPartition, long, long)> Lost)> ReadAllAsync(KafkaClients clients, KafkaCounters counters, string group, TopicPartition partition, bool contiguous)
    {
        var (_, high) = Watermarks(clients, group, partition);
        var lost = new List<(TopicPartition, long, long)>();
        var reader = new BatchConsumer(clients, counters, NullLogger.Instance) { Contiguous = contiguous, OnLost = (p, from, to) => lost.Add((p, from, to)) };
        long read = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await reader.RunAsync(group, partition.Topic, batch =>
        {
            read += batch.Count(m => m.Partition == partition.Partition);
            if (batch.Any(m => m.Partition == partition.Partition && m.Offset.Value == high - 1))
            {
                stop.CancelAfter(TimeSpan.FromMilliseconds(300));
            }
        }, stop.Token);
        return (read, lost);
    }

    private static (long Low, long High) Watermarks(KafkaClients clients, string group, TopicPartition partition)
    {
        using var consumer = clients.ConsumerBuilder($"{group}-watermarks", "watermarks").Build();
        var offsets = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        return (offsets.Low.Value, offsets.High.Value);
    }

    private static void ProduceTo(KafkaClients clients, TopicPartition partition, int count, int size)
    {
        using var producer = clients.CreateProducer("test");
        for (var i = 0; i < count; i++)
        {
            producer.Produce(partition, new Message<string, byte[]> { Key = $"k{i}", Value = new byte[size] });
            producer.Flush(TimeSpan.FromSeconds(30));
        }
    }

    private static void Produce(KafkaClients clients, string topic, IEnumerable<string> keys)
    {
        using var producer = clients.CreateProducer("test");
        foreach (var key in keys)
        {
            producer.Produce(topic, new Message<string, byte[]> { Key = key, Value = [1] });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }
}
