using System.Collections.Concurrent;
using Backfill.Messaging.Contracts;

namespace Backfill.Worker;

/// <summary>
/// The last step this process finished per slice, and which slices have a step running here. A lane's actions are on one partition and read by one member,
/// so a redelivered step (a producer retry, a crash between produce and commit) or a step of an older attempt
/// is caught here and dropped (R5); what slips past (a rebalance in between) is absorbed by the idempotent sink.
/// Steps of different slices run side by side; two copies of one slice's step never do (<see cref="TurnAsync"/>),
/// so the second copy meets the first one's <see cref="Done"/> and is dropped rather than run twice.
/// </summary>
internal sealed class StepLedger
{
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, (int Attempt, int Step)> _done = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

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

    public bool IsDone(ActionMessage action) =>
        _done.TryGetValue(action.Slice, out var last)
        && (action.Attempt < last.Attempt || (action.Attempt == last.Attempt && action.Step <= last.Step));

    public void Done(ActionMessage action)
    {
        if (_done.Count >= Capacity)
        {
            _done.Clear();
        }

        _done.AddOrUpdate(action.Slice, (action.Attempt, action.Step), (_, last) => Max(last, (action.Attempt, action.Step)));
    }

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
