namespace Backfill.Platforms.Resilience;

/// <summary>
/// Start-time fair queuing of the calls that wait for one lane's window. A waiting call holds a ticket whose start tag is
/// its job's previous finish tag, or the virtual time if later; its finish tag is start + 1 / weight (a job's priority,
/// <see cref="Core.Release.FairShare.Weight"/>). Only the first ticket (smallest start tag) may take a place, and the
/// virtual time becomes the start tag of each ticket admitted. So while several jobs' calls wait, each job gets places in
/// proportion to its weight, whatever its number of slices on the lane — a job with one slice calling again as soon as
/// it is answered is first again until its tags catch up — and no ticket waits for ever: tags are finite and only grow.
/// A lone caller is first at once.
/// </summary>
internal sealed class FairTurns
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _finish = new(StringComparer.Ordinal);
    private readonly SortedSet<Ticket> _waiting = new(Comparer<Ticket>.Create((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Order.CompareTo(b.Order)));
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double _virtualTime;
    private long _order;

    /// <summary>Queues a call of <paramref name="job"/>; <see cref="Admitted"/> or <see cref="Leave"/> ends its wait.</summary>
    public Ticket Enter(string job, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        Ticket ticket;
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            var start = Math.Max(_virtualTime, _finish.GetValueOrDefault(job));
            _finish[job] = start + (1.0 / weight);
            ticket = new Ticket(start, _order++);
            var first = _waiting.Min;
            _waiting.Add(ticket);
            if (first is not null && _waiting.Min == ticket)
            {
                wake = Changed();
            }
        }

        wake?.TrySetResult();
        return ticket;
    }

    /// <summary>Whether no call waits here.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count == 0;
            }
        }
    }

    /// <summary>Whether <paramref name="ticket"/> may take the next place; if not, <paramref name="changed"/> completes once the first ticket changes.</summary>
    public bool IsFirst(Ticket ticket, out Task changed)
    {
        lock (_lock)
        {
            changed = _changed.Task;
            return _waiting.Min == ticket;
        }
    }

    /// <summary>The ticket's call took its place: it leaves, and the virtual time moves to its start.</summary>
    public void Admitted(Ticket ticket)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _virtualTime = Math.Max(_virtualTime, ticket.Start);
            wake = Remove(ticket);
        }

        wake?.TrySetResult();
    }

    /// <summary>The ticket's call stopped waiting (cancelled, or it waits for something else first).</summary>
    public void Leave(Ticket ticket)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            wake = Remove(ticket);
        }

        wake?.TrySetResult();
    }

    /// <summary>Removes the ticket; the waiters to wake once the lock is released when it was first.</summary>
    private TaskCompletionSource? Remove(Ticket ticket)
    {
        var wasFirst = _waiting.Min == ticket;
        var wake = _waiting.Remove(ticket) && wasFirst ? Changed() : null;

        // A job whose finish tag is behind the virtual time would start from it anyway: its tag need not be kept.
        if (_finish.Count > 64)
        {
            foreach (var job in _finish.Where(f => f.Value <= _virtualTime).Select(f => f.Key).ToList())
            {
                _finish.Remove(job);
            }
        }

        return wake;
    }

    /// <summary>
    /// A new signal for the next change; the old one is completed by the caller once the lock is released. Its waiters
    /// run elsewhere, never on the caller's thread: the caller is a call just admitted, whose request must leave at once.
    /// </summary>
    private TaskCompletionSource Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return changed;
    }

    /// <summary>One waiting call's place in the order.</summary>
    internal sealed record Ticket(double Start, long Order);
}
