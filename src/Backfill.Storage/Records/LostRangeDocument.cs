using Backfill.Core.Data;

namespace Backfill.Storage.Records;

/// <summary>A run of records the sink's reader found gone from a data topic (<see cref="RecordStore.Lost(LostRange, DateTimeOffset)"/>).</summary>
internal sealed class LostRangeDocument
{
    /// <summary><c>topic/partition/from</c>: seen again (a reader that started over), the same range is kept once.</summary>
    public string Id { get; set; } = "";

    public string Topic { get; set; } = "";

    public int Partition { get; set; }

    public long From { get; set; }

    public long To { get; set; }

    public DateTime SeenAt { get; set; }

    public static LostRangeDocument Of(LostRange range, DateTimeOffset at) => new()
    {
        Id = $"{range.Topic}/{range.Partition}/{range.From}",
        Topic = range.Topic,
        Partition = range.Partition,
        From = range.From,
        To = range.To,
        SeenAt = at.UtcDateTime,
    };

    public LostRange ToRange() => new(Topic, Partition, From, To);
}
