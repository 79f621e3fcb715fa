using Confluent.Kafka;

namespace Backfill.Worker;

/// <summary>
/// The uncommitted steps of one partition, in offset order. Several run side by side (different slices, same lanes), so
/// a lane always has a call ready when its window frees a place; the partition's offset only moves past a step once
/// every step before it finished too, so a crash or a rebalance redoes at most the uncommitted ones.
/// </summary>
internal sealed class PartitionSteps(int maxRunning) : IDisposable
{
    /// <summary>Finished steps kept behind a slow one, at most this many times <c>maxRunning</c>, bound what a crash redoes.</summary>
    private const int UncommittedFactor = 4;

    private readonly List<Step> _steps = [];
    private readonly CancellationTokenSource _leaving = new();

    /// <summary>Cancelled once the partition leaves this member: its steps end after their current page (<see cref="Leave"/>).</summary>
    public CancellationToken Leaving => _leaving.Token;

    public bool CanTake => _steps.Count(s => !s.Finished) < maxRunning && _steps.Count < maxRunning * UncommittedFactor;

    public bool IsEmpty => _steps.Count == 0;

    public IEnumerable<Step> Running => _steps.Where(s => !s.Finished);

    public void Add(Step step)
    {
        if (_steps.Count > 0 && step.Consumed.Offset <= _steps[^1].Consumed.Offset)
        {
            throw new InvalidOperationException($"Step at {step.Consumed.TopicPartitionOffset} is not after {_steps[^1].Consumed.TopicPartitionOffset}.");
        }

        _steps.Add(step);
    }

    /// <summary>Steps whose work ended since they were last looked at, successful or not.</summary>
    public IReadOnlyList<Step> Ended() => _steps.Where(s => !s.Finished && s.Work.IsCompleted).ToList();

    /// <summary>Puts <paramref name="retry"/> (the same message, tried again) where <paramref name="failed"/> was.</summary>
    public void Replace(Step failed, Step retry)
    {
        var at = _steps.IndexOf(failed);
        if (at < 0 || retry.Consumed.Offset != failed.Consumed.Offset)
        {
            throw new InvalidOperationException($"No step at {failed.Consumed.TopicPartitionOffset} to retry.");
        }

        failed.Cancel.Dispose();
        _steps[at] = retry;
    }

    /// <summary>The last offset of the leading run of finished steps, which leave; null when the first step still runs.</summary>
    public TopicPartitionOffset? TakeCommittable()
    {
        var count = 0;
        while (count < _steps.Count && _steps[count].Finished)
        {
            count++;
        }

        if (count == 0)
        {
            return null;
        }

        var last = _steps[count - 1].Consumed.TopicPartitionOffset;
        _steps.RemoveRange(0, count);
        return last;
    }

    /// <summary>The partition is leaving: its steps start no further call.</summary>
    public void Leave() => _leaving.Cancel();

    /// <summary>Forgets every step (the partition left this member); their cancellations are released.</summary>
    public void Dispose()
    {
        _steps.ForEach(s => s.Cancel.Dispose());
        _steps.Clear();
        _leaving.Dispose();
    }

    /// <summary>One message being brought to a decision. <see cref="Finished"/> once it succeeded.</summary>
    internal sealed class Step(ConsumeResult<string, byte[]> consumed, Task work, int failures, CancellationTokenSource cancel)
    {
        public ConsumeResult<string, byte[]> Consumed { get; } = consumed;

        public Task Work { get; } = work;

        public int Failures { get; } = failures;

        public CancellationTokenSource Cancel { get; } = cancel;

        public bool Finished { get; private set; }

        public void Succeeded()
        {
            Finished = true;
            Cancel.Dispose();
        }
    }
}
