using System.Collections.Concurrent;

namespace Backfill.Messaging.Clients;

/// <summary>Kafka outcomes of this process that an operator must see (R3, R6): counted, never only logged.</summary>
public sealed class KafkaCounters
{
    private long _commits;
    private long _commitFailures;
    private long _deadLettered;
    private long _evictions;
    private long _recordsLost;
    private readonly ConcurrentDictionary<string, string> _endedReaders = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _firstEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Offset commits that failed (eviction, rebalance, broker down). Non-zero is an alarm.</summary>
    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Times a consumer of this process was evicted for not polling (max.poll.interval.ms). Non-zero is an alarm.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Records that left a topic before a reader of this process read them (<see cref="BatchConsumer.Contiguous"/>). Non-zero is an alarm: what they carried is missing.</summary>
    public long RecordsLost => Interlocked.Read(ref _recordsLost);

    /// <summary>Readers of this process that ended before their stop (<see cref="BatchConsumer"/>), with why. Any is an alarm.</summary>
    public IReadOnlyDictionary<string, string> EndedReaders => _endedReaders;

    /// <summary>Completes, with what was said, when the first reader of this process ends before its stop.</summary>
    public Task<string> FirstReaderEnded => _firstEnded.Task;

    internal void Committed() => Interlocked.Increment(ref _commits);

    internal void CommitFailed() => Interlocked.Increment(ref _commitFailures);

    internal void Evicted() => Interlocked.Increment(ref _evictions);

    internal void DeadLetter() => Interlocked.Increment(ref _deadLettered);

    internal void Lost(long records) => Interlocked.Add(ref _recordsLost, records);

    internal void ReaderEnded(string reader, string reason)
    {
        _endedReaders[reader] = reason;
        _firstEnded.TrySetResult($"the reader of {reader} ended: {reason}");
    }
}
