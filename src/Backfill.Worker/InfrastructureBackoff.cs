namespace Backfill.Worker;

/// <summary>
/// What follows a step that failed on Kafka (not the platform) (R6): the same message is tried again after a back-off
/// that doubles from <paramref name="First"/> with each of the first five failures and never exceeds <see cref="Cap"/>;
/// once it has failed more than <paramref name="Retries"/> times it is parked instead, after the same back-off, since
/// parking is a produce too and may fail for the same reason.
/// </summary>
internal sealed record InfrastructureBackoff(TimeSpan First, int Retries)
{
    /// <summary>The longest back-off: a partition's commits wait behind the message, so it must not stall for long.</summary>
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    /// <summary>Doublings stop here (32 × <see cref="First"/>), which also keeps the shift from overflowing.</summary>
    private const int MostDoublings = 5;

    /// <summary>What follows the failure of a message that had failed <paramref name="failures"/> times before.</summary>
    public Retry After(int failures)
    {
        var attempt = failures + 1;
        var doublings = Math.Min(failures, MostDoublings);
        var delay = First.Ticks > Cap.Ticks >> doublings ? Cap : TimeSpan.FromTicks(First.Ticks << doublings);
        return new Retry(attempt, delay, Park: attempt > Retries);
    }

    /// <param name="Attempt">The failures so far, this one included.</param>
    /// <param name="Delay">How long the message waits before it is handled again or parked.</param>
    /// <param name="Park">Parked on the dead-letter topic instead of handled again.</param>
    internal readonly record struct Retry(int Attempt, TimeSpan Delay, bool Park);
}
