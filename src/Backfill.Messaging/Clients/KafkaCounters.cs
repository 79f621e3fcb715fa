namespace Backfill.Messaging.Clients;

/// <summary>Kafka outcomes of this process that an operator must see (R3, R6): counted, never only logged.</summary>
public sealed class KafkaCounters
{
    private long _commits;
    private long _commitFailures;
    private long _deadLettered;
    private long _evictions;

    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Offset commits that failed (eviction, rebalance, broker down). Non-zero is an alarm.</summary>
    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Times a consumer of this process was evicted for not polling (max.poll.interval.ms). Non-zero is an alarm.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);


    internal void Committed() => Interlocked.Increment(ref _commits);

    internal void CommitFailed() => Interlocked.Increment(ref _commitFailures);

    internal void Evicted() => Interlocked.Increment(ref _evictions);

    internal void DeadLetter() => Interlocked.Increment(ref _deadLettered);
}
