using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Backfill.Messaging.Clients;

/// <summary>
/// Where topics begin and end: their partitions (metadata), and every partition's offset of one kind in one
/// <c>ListOffsets</c> request. A topic the broker does not have, or an offset it cannot give, throws
/// <see cref="KafkaException"/>.
/// </summary>
public static class Watermarks
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>High watermarks of <paramref name="topic"/>: how far a reader must get to have seen everything written so far.</summary>
    public static IReadOnlyDictionary<TopicPartition, long> High(KafkaClients clients, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        using var admin = clients.CreateAdmin("backfill-watermarks");
        return HighAsync(admin, [topic], CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>High watermarks of every partition of <paramref name="topics"/>; the caller's thread never waits for the broker.</summary>
    public static async Task<Dictionary<TopicPartition, long>> HighAsync(IAdminClient admin, IReadOnlyCollection<string> topics, CancellationToken cancellationToken)
    {
        // The client's metadata request blocks: it runs on the pool, not on the caller's thread.
        var partitions = await Task.Run(() => Partitions(admin, topics), cancellationToken);
        return await OffsetsAsync(admin, partitions, OffsetSpec.Latest(), cancellationToken);
    }

    /// <summary>Every partition of <paramref name="topics"/>, from one metadata request.</summary>
    public static List<TopicPartition> Partitions(IAdminClient admin, IReadOnlyCollection<string> topics)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(topics);
        var metadata = topics.Count == 1 ? admin.GetMetadata(topics.First(), Timeout) : admin.GetMetadata(Timeout);
        var partitions = new List<TopicPartition>();
        foreach (var topic in topics)
        {
            var found = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.IsError || found.Partitions.Count == 0)
            {
                throw new KafkaException(found?.Error is { IsError: true } error ? error : new Error(ErrorCode.UnknownTopicOrPart, $"topic {topic} not found"));
            }

            partitions.AddRange(found.Partitions.OrderBy(p => p.PartitionId).Select(p => new TopicPartition(topic, p.PartitionId)));
        }

        return partitions;
    }

    /// <summary>The offset <paramref name="spec"/> names on each of <paramref name="partitions"/>.</summary>
    public static async Task<Dictionary<TopicPartition, long>> OffsetsAsync(
        IAdminClient admin, IReadOnlyCollection<TopicPartition> partitions, OffsetSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(partitions);
        cancellationToken.ThrowIfCancellationRequested();
        if (partitions.Count == 0)
        {
            return [];
        }

        var result = await admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        var read = result.ResultInfos.Select(r => r.TopicPartitionOffsetError).ToList();
        return read.FirstOrDefault(e => e.Error.IsError) is { } failed
            ? throw new KafkaException(failed.Error)
            : read.ToDictionary(e => e.TopicPartition, e => e.Offset.Value);
    }
}
