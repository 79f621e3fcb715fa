using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Messaging.Clients;

/// <summary>Synchronous commits whose failures are counted and logged as errors, never swallowed (R3).</summary>
public static partial class CheckedCommit
{
    /// <summary>Commits the offsets after <paramref name="processed"/>; false when the commit failed.</summary>
    public static bool Commit(this IConsumer<string, byte[]> consumer, IEnumerable<TopicPartitionOffset> processed, KafkaCounters counters, ILogger logger)
    {
        var next = processed.Select(p => new TopicPartitionOffset(p.TopicPartition, p.Offset + 1)).ToList();
        if (next.Count == 0)
        {
            return true;
        }

        try
        {
            consumer.Commit(next);
            counters.Committed();
            return true;
        }
        catch (KafkaException e)
        {
            counters.CommitFailed();
            Log.CommitFailed(logger, consumer.Name, string.Join(",", next), e.Error.Code, e.Error.Reason);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Offset commit FAILED for {Client} at {Offsets}: {Code} {Reason}. The messages after the last good commit will be redelivered; check for eviction (max.poll.interval.ms) or rebalances.")]
        public static partial void CommitFailed(ILogger logger, string client, string offsets, ErrorCode code, string reason);
    }
}
