using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>High watermarks of a topic: how far a reader must get to have seen everything written so far.</summary>
public static class Watermarks
{
    public static IReadOnlyDictionary<TopicPartition, long> High(KafkaClients clients, string topic)
    {
        using var admin = clients.CreateAdmin("backfill-watermarks");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        using var reader = clients.ConsumerBuilder("backfill-watermarks", "backfill-watermarks").Build();
        return partitions.ToDictionary(p => p, p => reader.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
    }
}
