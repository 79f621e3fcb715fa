using Backfill.Messaging.Clients;
using Confluent.Kafka;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>Reads topics the way an operator would check them: every partition from its beginning, outside any group.</summary>
internal static class TopicReader
{
    /// <summary>Every message on <paramref name="topic"/> up to its end as of now.</summary>
    public static List<ConsumeResult<string, byte[]>> All(KafkaClients clients, string topic)
    {
        using var admin = clients.CreateAdmin("topic-reader");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        using var consumer = clients.ConsumerBuilder($"topic-reader-{Guid.NewGuid():N}", "topic-reader").Build();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var open = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var messages = new List<ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (open.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{topic} not read to its end in 30 s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } r)
            {
                continue;
            }

            if (!r.IsPartitionEOF)
            {
                messages.Add(r);
            }

            if (r.Offset.Value >= ends[r.TopicPartition] - (r.IsPartitionEOF ? 0 : 1))
            {
                open.Remove(r.TopicPartition);
            }
        }

        return messages;
    }

    /// <summary>The group's committed offset on each partition (<see cref="Offset.Unset"/> where it never committed), without joining the group.</summary>
    public static IReadOnlyDictionary<int, long> Committed(KafkaClients clients, string group, string topic)
    {
        using var admin = clients.CreateAdmin("offset-reader");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        using var consumer = clients.ConsumerBuilder(group, "offset-reader").Build();
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }
}
