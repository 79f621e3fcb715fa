using System.Collections.Concurrent;
using Backfill.Messaging.Contracts;

namespace Backfill.Worker;

/// <summary>
/// The last step this process finished per slice, and which slices have a step running here. A lane's actions are on one partition and read by one member,
/// so a redelivered step (a producer retry, a crash between produce and commit) or a step of an older attempt
/// is caught here and dropped (R5); what slips past (a rebalance in between) is absorbed by the idempotent sink.
/// Steps of different slices run side by side; two copies of one slice's step never do (<see cref="TurnAsync"/>),
/// so the second copy meets the first one's <see cref="Done"/> and is dropped rather than run twice.
/// It remembers the slices of the last one to two <see cref="Generation"/>s of finished steps: when the current generation
/// is full it becomes the older one and the oldest is forgotten, so memory stays flat however many slices pass (R7) and
/// a copy of a recent step is always caught. A generation is a plain dictionary under one lock: a concurrent dictionary's
/// count takes every lock of it, which at every step cost a busy worker an eighth of its time (docs/performance.md, P4/P5).
/// </summary>
internal sealed class StepLedger
{
    /// <summary>Slices per generation: far more than are ever in flight (the scheduler's cap is tens per platform).</summary>
    public const int Generation = 8_192;

    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private Dictionary<string, (int Attempt, int Step)> _recent = new(StringComparer.Ordinal);
    private Dictionary<string, (int Attempt, int Step)> _older = new(StringComparer.Ordinal);

    /// <summary>Waits until no other step of <paramref name="slice"/> runs in this process; the slice is this caller's until the turn is disposed.</summary>
    public async Task<IDisposable> TurnAsync(string slice, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (!_running.TryAdd(slice, mine.Task))
        {
            if (_running.TryGetValue(slice, out var other))
            {
                await other.WaitAsync(cancellationToken);
            }
        }

        return new Turn(this, slice, mine);
    }

    public bool IsDone(ActionMessage action)
    {
        lock (_lock)
        {
            return Last(action.Slice) is { } last
                && (action.Attempt < last.Attempt || (action.Attempt == last.Attempt && action.Step <= last.Step));
        }
    }

    public void Done(ActionMessage action)
    {
        lock (_lock)
        {
            var step = (action.Attempt, action.Step);
            _recent[action.Slice] = Last(action.Slice) is { } last ? Max(last, step) : step;
            if (_recent.Count >= Generation)
            {
                _older = _recent;
                _recent = new Dictionary<string, (int Attempt, int Step)>(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Slices remembered now (between one and two generations' worth once full).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _recent.Count + _older.Keys.Count(k => !_recent.ContainsKey(k));
            }
        }
    }

    private (int Attempt, int Step)? Last(string slice) =>
        _recent.TryGetValue(slice, out var last) || _older.TryGetValue(slice, out last) ? last : null;

    private static (int, int) Max((int Attempt, int Step) a, (int Attempt, int Step) b) =>
        a.Attempt != b.Attempt ? (a.Attempt > b.Attempt ? a : b) : (a.Step >= b.Step ? a : b);

    private sealed class Turn(StepLedger ledger, string slice, TaskCompletionSource mine) : IDisposable
    {
        public void Dispose()
        {
            if (ledger._running.TryRemove(new KeyValuePair<string, Task>(slice, mine.Task)))
            {
                mine.TrySetResult();
            }
        }
    }
}
