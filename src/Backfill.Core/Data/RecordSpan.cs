namespace Backfill.Core.Data;

/// <summary>An offset of one partition of a data topic (its end, when read as a job's bound).</summary>
public sealed class TopicOffset
{
    public string Topic { get; set; } = "";

    public int Partition { get; set; }

    public long Offset { get; set; }
}

/// <summary>Records of a data topic's partition that left it before the sink read them: offsets <paramref name="From"/> to <paramref name="To"/>, both included.</summary>
public sealed record LostRange(string Topic, int Partition, long From, long To);

/// <summary>
/// Where a job's records lie on the data topics, and whether any of them left before the sink read them. A job's records
/// are all written after its first step went out and before it finished, so on each partition they lie at or after the
/// partition's end read just before its first release (<c>from</c>) and before its end read after it finished
/// (<c>to</c>). A lost range that overlaps that span may have held the job's records; one outside it cannot have.
/// </summary>
public static class RecordSpan
{
    /// <summary>
    /// How many lost records lie in the job's span: an upper bound on the job's own lost records (the span holds other
    /// jobs' records too), 0 when none of its records can be missing. A partition without a <paramref name="from"/>
    /// (a job released before the bound was read) counts from its beginning.
    /// </summary>
    public static long Lost(IEnumerable<LostRange> lost, IReadOnlyCollection<TopicOffset>? from, IReadOnlyCollection<TopicOffset> to)
    {
        ArgumentNullException.ThrowIfNull(lost);
        ArgumentNullException.ThrowIfNull(to);
        var starts = (from ?? []).ToDictionary(o => (o.Topic, o.Partition), o => o.Offset);
        var ends = to.ToDictionary(o => (o.Topic, o.Partition), o => o.Offset);
        long count = 0;
        foreach (var range in lost)
        {
            if (ends.TryGetValue((range.Topic, range.Partition), out var end))
            {
                var start = starts.GetValueOrDefault((range.Topic, range.Partition));
                count += Math.Max(0, Math.Min(range.To + 1, end) - Math.Max(range.From, start));
            }
        }

        return count;
    }
}
