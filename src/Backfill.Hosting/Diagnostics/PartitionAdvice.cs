namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// What caps parallelism on the action topic (incident R9), in plain words: each of a platform's budget lanes needs a
/// partition of its own, and each worker consumer needs a partition to do anything.
/// </summary>
public static class PartitionAdvice
{
    /// <summary>The sentence for a platform whose lanes outnumber the action partitions; null when every lane has its own.</summary>
    public static string? Lanes(string platform, int lanes, string topic, int partitions) => lanes <= partitions ? null
        : $"{platform} has {lanes} budget lanes but {topic} has only {partitions} partition(s): lanes share partitions, so at most {partitions} worker consumer(s) call {platform} at once and part of its rate limit may go unused (R9). "
        + $"Give {topic} at least {lanes} partitions, or set Platforms:{platform}:RateLimit:Lanes to {partitions}.";

    /// <summary>The sentence for more worker consumers than action partitions; null when each can have one.</summary>
    /// <param name="where">Where the consumers are, e.g. "in group backfill.workers" or "in this process".</param>
    public static string? Consumers(int consumers, string where, string topic, int partitions) => consumers <= partitions ? null
        : $"{consumers} worker consumers {where} but {topic} has only {partitions} partition(s): {consumers - partitions} of them get no partition and sit idle (R9). "
        + $"Give {topic} at least {consumers} partitions, or run fewer consumers (Worker:Concurrency, fewer 'backfill worker' processes).";
}
