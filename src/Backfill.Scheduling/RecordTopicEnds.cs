using Backfill.Core.Data;
using Backfill.Messaging.Clients;
using Confluent.Kafka;

namespace Backfill.Scheduling;

/// <summary>
/// The data topics' ends (every partition of <c>orders</c>, <c>finance</c> and <c>returns</c>): a job's bounds on them
/// (<see cref="RecordSpan"/>). One admin client for the process, and two requests a reading (<see cref="Watermarks"/>): it
/// is taken under the release gate, before a job's first release.
/// </summary>
public sealed class RecordTopicEnds(KafkaClients clients) : IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => clients.CreateAdmin($"backfill-record-ends-{Environment.ProcessId}"));

    /// <summary>Reads them from the broker; a broker that cannot be asked throws <see cref="KafkaException"/>.</summary>
    public async Task<List<TopicOffset>> ReadAsync(CancellationToken cancellationToken)
    {
        var topics = DatasetNames.All.Select(clients.Connection.Topics.Records).Distinct(StringComparer.Ordinal).ToList();
        var ends = await Watermarks.HighAsync(_admin.Value, topics, cancellationToken);
        return [.. ends
            .OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition.Value)
            .Select(e => new TopicOffset { Topic = e.Key.Topic, Partition = e.Key.Partition.Value, Offset = e.Value })];
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
