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
            _partitions = Watermarks.Partitions(_admin.Value, [Topic]).Count;
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
        var earliest = await Watermarks.OffsetsAsync(admin, tps, OffsetSpec.Earliest(), cancellationToken);
        var latest = await Watermarks.OffsetsAsync(admin, tps, OffsetSpec.Latest(), cancellationToken);
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
}
