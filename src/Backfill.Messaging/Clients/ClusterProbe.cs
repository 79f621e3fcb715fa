using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Backfill.Messaging.Clients;

/// <summary>
/// Read-only questions to the cluster for <c>backfill doctor</c> and the readiness check: does it answer, which topics with how many partitions,
/// how many members a consumer group has, and how far a group is behind on a topic. Every question has a deadline.
/// </summary>
public sealed class ClusterProbe(KafkaClients clients, TimeSpan timeout) : IDisposable
{
    private readonly IAdminClient _admin = clients.CreateAdmin($"backfill-probe-{Environment.ProcessId}");

    /// <summary>Brokers and topics (name → partitions) as the cluster's metadata says.</summary>
    /// <exception cref="KafkaException">The cluster did not answer within the deadline.</exception>
    public (int Brokers, IReadOnlyDictionary<string, int> Topics) Metadata()
    {
        var metadata = _admin.GetMetadata(timeout);
        return (metadata.Brokers.Count, metadata.Topics.Where(t => !t.Error.IsError).ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal));
    }

    /// <summary>Members of a consumer group now (0 when the group is empty or unknown), and its state.</summary>
    public async Task<(int Members, string State)> MembersAsync(string group)
    {
        var result = await _admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = timeout });
        var description = result.ConsumerGroupDescriptions.Single();
        return description.Error.Code == ErrorCode.GroupIdNotFound
            ? (0, "unknown")
            : (description.Members.Count, description.State.ToString());
    }

    /// <summary>Messages on <paramref name="topic"/> after the group's committed offsets (all of them where it committed none).</summary>
    public async Task<long> LagAsync(string group, string topic, int partitions)
    {
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = (await _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, tps)], new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout }))
            .Single().Partitions.ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        var earliest = await OffsetsAsync(tps, OffsetSpec.Earliest());
        var latest = await OffsetsAsync(tps, OffsetSpec.Latest());
        return tps.Sum(tp =>
        {
            var from = committed.TryGetValue(tp, out var c) && c >= 0 ? Math.Max(c, earliest[tp]) : earliest[tp];
            return Math.Max(0, latest[tp] - from);
        });
    }

    public void Dispose() => _admin.Dispose();

    private async Task<Dictionary<TopicPartition, long>> OffsetsAsync(List<TopicPartition> tps, OffsetSpec spec)
    {
        var result = await _admin.ListOffsetsAsync(
            tps.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = timeout });
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }
}
