using Backfill.Platforms;
using Confluent.Kafka;

namespace Backfill.Worker;

/// <summary>
/// The uncommitted steps of one partition, in offset order. Several call side by side (different slices, same lanes), so
/// a lane always has a call ready when its window frees a place; a step whose calls are over and that only waits for
/// Kafka's acknowledgements leaves its place to the next (docs/performance.md, P4). The partition's offset only moves past a step once
/// every step before it finished too, so a crash or a rebalance redoes at most the uncommitted ones.
/// </summary>
/// <param name="maxRunning">Steps that may call side by side, read each time a step could start (<see cref="StepPlaces"/>).</param>
/// <param name="owner">The lease of the consumer the partition is assigned to, which calls in its lanes' lent places must hold (<see cref="Lending"/>).</param>
internal sealed class PartitionSteps(Func<int> maxRunning, TimeProvider time, OwnershipLease? owner = null) : IDisposable
{
    public PartitionSteps(int maxRunning, TimeProvider time)
        : this(() => maxRunning, time)
    {
    }

    /// <summary>A refused commit (a rebalance under way) is tried again after this, or with the next finished step.</summary>
    public static readonly TimeSpan CommitRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Uncommitted steps (finished behind a slow one, or waiting for acknowledgements), at most this many times
    /// <c>maxRunning</c>, bound what a crash redoes. In a real run the scheduler's in-flight cap binds first (a slice has
    /// one step at a time, <c>Backfill:MaxInFlightPerPlatform</c> slices per platform); this bound matters only when
    /// a platform answers at once and a backlog of actions meets a broker round trip per step.
    /// </summary>
    private const int UncommittedFactor = 16;

    private readonly List<Step> _steps = [];
    private TopicPartitionOffset? _refused;
    private long _refusedAt;

    /// <summary>Cancelled once the partition leaves this member: its steps end after their current page (<see cref="Leave"/>).</summary>
    public CancellationToken Leaving => Lending.Leaving;

    /// <summary>The partition's lanes, whose free places other partitions' steps in this process may take until it leaves.</summary>
    public LaneLending Lending { get; } = new(owner);

    public bool CanTake
    {
        get
        {
            var most = maxRunning();
            return _steps.Count(s => s.Calling) < most && _steps.Count < most * UncommittedFactor;
        }
    }

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

    /// <summary>
    /// What to commit now: the last offset of the leading run of finished steps, which leave; else a refused commit
    /// once <see cref="CommitRetry"/> has passed (at once when <paramref name="leaving"/>: it is the last chance); else null.
    /// </summary>
    public TopicPartitionOffset? TakeCommittable(bool leaving = false)
    {
        var count = 0;
        while (count < _steps.Count && _steps[count].Finished)
        {
            count++;
        }

        if (count == 0)
        {
            if (_refused is not { } refused || (!leaving && time.GetElapsedTime(_refusedAt) < CommitRetry))
            {
                return null;
            }

            _refused = null;
            return refused;
        }

        var last = _steps[count - 1].Consumed.TopicPartitionOffset;
        _steps.RemoveRange(0, count);
        _refused = null;
        return last;
    }

    /// <summary>The commit of <paramref name="offset"/> was refused: it is offered again (a later finished step supersedes it).</summary>
    public void CommitRefused(TopicPartitionOffset offset)
    {
        _refused = offset;
        _refusedAt = time.GetTimestamp();
    }

    /// <summary>The partition is leaving: its steps start no further call, and its lanes' places are no longer lent.</summary>
    public void Leave() => Lending.Leave();

    /// <summary>
    /// Once the partition is leaving (<see cref="Leave"/>): ends when its running steps have ended, whatever their outcome,
    /// and then every call under way in its lanes' lent places, and the latest possible arrival of every call given up on
    /// in them (<see cref="LaneLending.CallsOverAsync"/>). From then on no call of this process is under way in the
    /// partition's lanes' windows, nor on its way to the platform, and the partition may go to another member.
    /// </summary>
    /// <param name="waitingForLate">Told how long the hand-over waits for calls given up on, when it does.</param>
    public async Task HandOverAsync(Action<TimeSpan>? waitingForLate = null)
    {
        await Task.WhenAll(Running.Select(s => s.Work)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Lending.Late is var late && late > TimeSpan.Zero)
        {
            waitingForLate?.Invoke(late);
        }

        await Lending.CallsOverAsync(CancellationToken.None);
    }

    /// <summary>Forgets every step (the partition left this member); their cancellations are released.</summary>
    public void Dispose()
    {
        _steps.ForEach(s => s.Cancel.Dispose());
        _steps.Clear();
        Lending.Dispose();
    }

    /// <summary>One message being brought to a decision. <see cref="Finished"/> once it succeeded.</summary>
    /// <param name="calls">Ends when the step makes no further platform call (its <paramref name="work"/> when not given).</param>
    internal sealed class Step(ConsumeResult<string, byte[]> consumed, Task work, int failures, CancellationTokenSource cancel, Task? calls = null)
    {
        private readonly Task _calls = calls ?? work;

        public ConsumeResult<string, byte[]> Consumed { get; } = consumed;

        public Task Work { get; } = work;

        /// <summary>Holds one of the partition's calling places: not finished, and its calls not over.</summary>
        public bool Calling => !Finished && !Work.IsCompleted && !_calls.IsCompleted;

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
