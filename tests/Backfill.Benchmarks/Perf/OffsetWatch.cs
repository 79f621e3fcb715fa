using Confluent.Kafka;

namespace Backfill.Benchmarks.Perf;

/// <summary>How far a consumer group has committed on a topic, and how many messages a topic holds: the finish line of P4 and P5.</summary>
internal sealed class OffsetWatch : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly IConsumer<byte[], byte[]> _reader;
    private readonly IReadOnlyList<TopicPartition> _partitions;

    public OffsetWatch(string bootstrap, string group, string topic, int partitions)
    {
        _reader = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        _partitions = [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))];
    }

    /// <summary>Offsets the group has committed, summed over the partitions.</summary>
    public long Committed() => _reader.Committed(_partitions, Timeout).Sum(c => c.Offset.Value > 0 ? c.Offset.Value : 0);

    /// <summary>Messages in <paramref name="topic"/> (high watermarks summed; the topics here start at offset 0).</summary>
    public long Messages(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Sum(p => _reader.QueryWatermarkOffsets(new TopicPartition(topic, p), Timeout).High.Value);

    public void Dispose() => _reader.Dispose();
}
