using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>What a reader does with a message its handler threw on.</summary>
public enum HandlerOutcome
{
    /// <summary>The message cannot be applied, now or ever: parked (or skipped) with why, and reading goes on.</summary>
    Park,

    /// <summary>The failure is the infrastructure's (disk, Kafka, a closing store): the same message is handled again after a pause.</summary>
    Retry,

    /// <summary>The infrastructure kept failing: the reader ends and its process stops, so it is restarted and reads again from its last commit.</summary>
    Stop,
}

/// <summary>
/// The rule a reader (<see cref="BatchConsumer"/>) follows when its handler throws. A failure of the infrastructure —
/// I/O, a timeout, Kafka, a store being closed — says nothing about the message: it is retried with a doubling pause,
/// never parked (that would lose a good message), and after <see cref="MaxFailures"/> in a row the reader gives up
/// rather than loop for ever. Any other failure comes from the message itself (a move the state machine refuses, a
/// malformed value, a document the store rejects) and would come again on every try: the message is parked.
/// </summary>
/// <param name="MaxFailures">Failures of one message in a row before the reader gives up.</param>
/// <param name="FirstPause">The pause after the first failure; it doubles after each one.</param>
/// <param name="MaxPause">The longest pause.</param>
public sealed record HandlerFailures(int MaxFailures, TimeSpan FirstPause, TimeSpan MaxPause)
{
    /// <summary>7 failures in a row, pauses of 0.1, 0.2 … 3.2 s: about 6 s of a failing disk or broker before the process restarts.</summary>
    public static HandlerFailures Default { get; } = new(7, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    /// <param name="failures">How many times in a row this message has failed, this one included (1 for the first).</param>
    public HandlerOutcome Decide(Exception error, int failures) =>
        !IsInfrastructure(error) ? HandlerOutcome.Park
        : failures >= MaxFailures ? HandlerOutcome.Stop
        : HandlerOutcome.Retry;

    /// <summary>The pause before handling a message again after its <paramref name="failures"/>-th failure.</summary>
    public TimeSpan Pause(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, FirstPause.Ticks * (1L << Math.Clamp(failures - 1, 0, 30))));

    /// <summary>A failure that is not the message's: retrying can succeed.</summary>
    public static bool IsInfrastructure(Exception error) =>
        error is IOException or TimeoutException or KafkaException or ObjectDisposedException or OperationCanceledException;
}
