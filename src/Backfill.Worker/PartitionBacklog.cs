namespace Backfill.Worker;

/// <summary>
/// Messages a partition may hold back, read but not started, before it is paused (<see cref="Limit"/>); it is resumed
/// once half of them have started. A pause costs librdkafka's read-ahead of the partition (it is thrown away) and a
/// resume starts the next fetch only about half a second later, so the half left must last that long at full speed:
/// with a backlog of 64 per step place, paused and resumed at once, the worker ran at half the raw loop's rate
/// (docs/performance.md, P4). Action messages are a few hundred bytes (StepsPerPartition 4: ~1,000 messages, ~300 KB
/// per partition), and read-but-not-started ones are neither work done nor work to redo. A real run rarely has a
/// backlog at all: the scheduler keeps tens of slices per platform in flight, each with one step at a time.
/// </summary>
internal sealed record PartitionBacklog(int Limit)
{
    public static PartitionBacklog For(int stepsPerPartition) => new(stepsPerPartition * 1024);

    /// <summary>The partition is paused once <paramref name="waiting"/> messages (the one just read included) wait.</summary>
    public bool Pauses(int waiting) => waiting >= Limit;

    /// <summary>A paused partition is resumed once no more than half the backlog waits.</summary>
    public bool Resumes(int waiting) => waiting <= Limit / 2;

    /// <summary>
    /// A message read while twice the backlog already waits (still coming long after the pause) is put back, read again
    /// once the partition has room. Only then: a seek costs a new fetch that librdkafka starts only after a back-off
    /// (about half a second on the mock cluster), so the ordinary pause keeps what it read (a resume goes on from the
    /// last message read).
    /// </summary>
    public bool PutsBack(int waiting) => waiting >= 2 * Limit;
}
