using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>
/// The next offset a reader expects on each partition it holds, for topics whose offsets follow one another (neither
/// compacted nor written in transactions): a record further on than expected means the records between left the topic
/// (the broker's retention or size limit) before the reader read them, and the client skipped to the oldest one left.
/// </summary>
internal sealed class OffsetGaps
{
    private readonly Dictionary<TopicPartition, long> _expected = [];

    /// <summary>The partition's next record is at <paramref name="next"/> (its committed offset when assigned, its end when read to it).</summary>
    public void Expect(TopicPartition partition, long next) => _expected[partition] = next;

    /// <summary>The partitions went to another reader: what they held next is no longer this reader's to expect.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _expected.Remove(partition);
        }
    }

    /// <summary>A record was read at <paramref name="offset"/>: returns how many before it were never read (0 when none).</summary>
    public long Read(TopicPartition partition, long offset)
    {
        var skipped = _expected.TryGetValue(partition, out var expected) && offset > expected ? offset - expected : 0;
        _expected[partition] = offset + 1;
        return skipped;
    }
}
