using Backfill.Messaging.Topics;
using Confluent.Kafka;

namespace Backfill.Testing;

/// <summary>
/// How far serve's order sink is behind the order topic, read from Kafka: the sink group's committed offsets against
/// the topic's high watermarks. A job's success follows its orders into Kafka, not into the sink.
/// </summary>
internal sealed class SinkLag : IDisposable
{
    private static readonly TimeSpan Query = TimeSpan.FromSeconds(5);

    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly List<TopicPartition> _partitions;

    public SinkLag(string bootstrapServers, string kafkaNamespace)
    {
        var topics = new TopicNames(kafkaNamespace);

        // Never subscribes, so it never joins the sink's group: it only reads the group's committed offsets.
        _consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = topics.SinkGroup,
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var topic = admin.GetMetadata(topics.Orders, Query).Topics.Single();
        _partitions = [.. topic.Partitions.Select(p => new TopicPartition(topics.Orders, p.PartitionId))];
    }

    /// <summary>Orders in the topic the sink has not saved yet.</summary>
    public long Behind()
    {
        var committed = _consumer.Committed(_partitions, Query).ToDictionary(c => c.TopicPartition, c => c.Offset);
        long behind = 0;
        foreach (var partition in _partitions)
        {
            var high = _consumer.QueryWatermarkOffsets(partition, Query).High.Value;
            var done = committed.TryGetValue(partition, out var offset) && offset != Offset.Unset ? offset.Value : -1;

            // The sink commits the offset of the last order it saved (not the next one to read, Kafka's convention).
            behind += Math.Max(0, high - 1 - done);
        }

        return behind;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
