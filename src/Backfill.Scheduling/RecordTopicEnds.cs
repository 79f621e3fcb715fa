using Backfill.Core.Data;
using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Backfill.Scheduling;

/// <summary>
/// The data topics' ends (every partition of <c>orders</c>, <c>finance</c> and <c>returns</c>): a job's bounds on them
/// (<see cref="RecordSpan"/>). One admin client for the process, and two requests a reading (metadata, then every
/// partition's end at once): it is taken under the release gate, before a job's first release.
/// </summary>
public sealed class RecordTopicEnds(KafkaClients clients) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Lazy<IAdminClient> _admin = new(() => clients.CreateAdmin($"backfill-record-ends-{Environment.ProcessId}"));

    /// <summary>Reads them from the broker; a broker that cannot be asked throws <see cref="KafkaException"/>.</summary>
    public async Task<List<TopicOffset>> ReadAsync(CancellationToken cancellationToken)
    {
        var topics = DatasetNames.All.Select(clients.Connection.Topics.Records).ToHashSet(StringComparer.Ordinal);
        var admin = _admin.Value;
        var metadata = await Task.Run(() => admin.GetMetadata(Timeout), cancellationToken);
        var partitions = new List<TopicPartition>();
        foreach (var topic in topics)
        {
            var found = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.IsError || found.Partitions.Count == 0)
            {
                throw new KafkaException(found?.Error ?? new Error(ErrorCode.UnknownTopicOrPart, $"topic {topic} not found"));
            }

            partitions.AddRange(found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var ends = await admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        var read = ends.ResultInfos.Select(r => r.TopicPartitionOffsetError).ToList();
        if (read.FirstOrDefault(e => e.Error.IsError) is { } failed)
        {
            throw new KafkaException(failed.Error);
        }

        return [.. read
            .OrderBy(e => e.Topic, StringComparer.Ordinal).ThenBy(e => e.Partition.Value)
            .Select(e => new TopicOffset { Topic = e.Topic, Partition = e.Partition.Value, Offset = e.Offset.Value })];
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
