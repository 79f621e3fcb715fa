namespace Backfill.Worker;

/// <summary>What this process's workers did; step durations are the figure to compare with the poll interval (R3).</summary>
public sealed class WorkerStats
{
    private long _steps;
    private long _orders;
    private long _duplicatesDropped;
    private long _failedSteps;
    private long _maxStepTicks;
    private long _slicesCancelled;

    public long Steps => Interlocked.Read(ref _steps);

    public long OrdersEmitted => Interlocked.Read(ref _orders);

    /// <summary>Action messages recognised as repeats of a step already done here and dropped (R5).</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicatesDropped);

    public long FailedSteps => Interlocked.Read(ref _failedSteps);

    /// <summary>Slices whose step this process stopped or dropped because their job was cancelled (R4).</summary>
    public long SlicesCancelled => Interlocked.Read(ref _slicesCancelled);

    public TimeSpan LongestStep => TimeSpan.FromTicks(Interlocked.Read(ref _maxStepTicks));

    internal void StepDone(int orders, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _orders, orders);
        long seen;
        while (elapsed.Ticks > (seen = Interlocked.Read(ref _maxStepTicks)) && Interlocked.CompareExchange(ref _maxStepTicks, elapsed.Ticks, seen) != seen)
        {
        }
    }

    internal void DuplicateDropped() => Interlocked.Increment(ref _duplicatesDropped);

    internal void StepFailed() => Interlocked.Increment(ref _failedSteps);

    internal void SliceCancelled() => Interlocked.Increment(ref _slicesCancelled);
}
