using System.Collections.Concurrent;
using Backfill.Messaging.Contracts;

namespace Backfill.Worker;

/// <summary>
/// The last step this process finished per slice. A lane's actions are on one partition and read by one member,
/// so a redelivered step (a producer retry, a crash between produce and commit) or a step of an older attempt
/// is caught here and dropped (R5); what slips past (a rebalance in between) is absorbed by the idempotent sink.
/// </summary>
internal sealed class StepLedger
{
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, (int Attempt, int Step)> _done = new(StringComparer.Ordinal);

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
}
