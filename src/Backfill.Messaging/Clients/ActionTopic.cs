using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Backfill.Messaging.Clients;

/// <summary>
/// What the scheduler needs to know about the action topic: its partition count (lanes map to partitions) and how many
/// messages on given partitions the worker group has not committed yet (its lag).
/// </summary>
public sealed class ActionTopic(KafkaClients clients, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PartitionsFor = TimeSpan.FromMinutes(1);
    private readonly Lazy<IAdminClient> _admin = new(() => clients.CreateAdmin($"backfill-actions-{Environment.ProcessId}"));
    private int _partitions;
    private long _partitionsAt;

    private string Topic => clients.Connection.Topics.Actions;

    /// <summary>The topic's partitions, read from metadata at most once a minute.</summary>
    public int Partitions()
    {
        if (_partitions == 0 || time.GetElapsedTime(_partitionsAt) > PartitionsFor)
        {
            var metadata = _admin.Value.GetMetadata(Topic, Timeout).Topics.SingleOrDefault(t => t.Topic == Topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                throw new KafkaException(metadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart, $"topic {Topic} not found"));
            }

            _partitions = metadata.Partitions.Count;
            _partitionsAt = time.GetTimestamp();
        }

        return _partitions;
    }

    /// <summary>Messages on <paramref name="partitions"/> after the worker group's committed offsets.</summary>
    public async Task<long> LagAsync(IEnumerable<int> partitions, CancellationToken cancellationToken) =>
        (await LagByPartitionAsync(partitions, cancellationToken)).Values.Sum();

    /// <summary>Messages on each of <paramref name="partitions"/> after the worker group's committed offset, by partition.</summary>
    public async Task<IReadOnlyDictionary<int, long>> LagByPartitionAsync(IEnumerable<int> partitions, CancellationToken cancellationToken)
    {
        var tps = partitions.Distinct().Select(p => new TopicPartition(Topic, p)).ToList();
        if (tps.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        var admin = _admin.Value;
        var committed = (await admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(clients.Connection.Topics.WorkerGroup, tps)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }))
            .Single().Partitions.ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        var earliest = await OffsetsAsync(admin, tps, OffsetSpec.Earliest(), cancellationToken);
        var latest = await OffsetsAsync(admin, tps, OffsetSpec.Latest(), cancellationToken);
        return tps.ToDictionary(tp => tp.Partition.Value, tp =>
        {
            var from = committed.TryGetValue(tp, out var c) && c >= 0 ? Math.Max(c, earliest[tp]) : earliest[tp];
            return Math.Max(0, latest[tp] - from);
        });
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }

    private static async Task<Dictionary<TopicPartition, long>> OffsetsAsync(IAdminClient admin, List<TopicPartition> tps, OffsetSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await admin.ListOffsetsAsync(
            tps.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }
}
