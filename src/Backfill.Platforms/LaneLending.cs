using Backfill.Platforms.Resilience;

namespace Backfill.Platforms;

/// <summary>
/// The lanes that one partition carries in this process, for as long as it stays here. While it does, a call waiting for
/// a full lane of the same platform in this process may take a free place in one of these lanes' windows when no call
/// waits for that lane, and a call whose shop is full on its own lane a free place of the shop on one of these lanes:
/// the call is counted in the lent window, so every lane's and every shop's window still holds its share, and every call
/// counted in a lane's windows is still made by the lane's one owner (docs/rate-budget.md, <i>Lent places</i>). Lending
/// stops at <see cref="Leave"/>; the partition may be handed over once <see cref="CallsOverAsync"/> has returned, when no
/// call counted in its lanes' windows is under way any more, nor one given up on may still reach the platform.
/// </summary>
/// <param name="owner">The lease of the consumer that owns the partition: a call in a lent place also waits until it is held.</param>
public sealed class LaneLending(OwnershipLease? owner) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<CallWindow> _windows = [];
    private readonly CancellationTokenSource _leaving = new();

    /// <summary>Cancelled once the partition starts leaving this process (<see cref="Leave"/>).</summary>
    public CancellationToken Leaving => _leaving.Token;

    internal OwnershipLease? Owner => owner;

    /// <summary>Whether the partition is still here: its lanes' places may be lent.</summary>
    internal bool IsOpen => !_leaving.IsCancellationRequested;

    /// <summary>A window (a lane's, or a shop's on a lane) that a step of this partition called through.</summary>
    internal void Carries(CallWindow window)
    {
        lock (_lock)
        {
            _windows.Add(window);
        }
    }

    /// <summary>The partition is leaving (revoked, lost, or the worker stopping): no call of another lane takes a place of its lanes from now on.</summary>
    public void Leave()
    {
        if (!_leaving.IsCancellationRequested)
        {
            _leaving.Cancel();
        }
    }

    /// <summary>Leaves, and releases the cancellation.</summary>
    public void Dispose()
    {
        Leave();
        _leaving.Dispose();
    }

    /// <summary>
    /// How long until no call given up on in this partition's lanes' windows may still reach the platform (zero: none may).
    /// </summary>
    public TimeSpan Late => Windows().Select(w => w.Late).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>
    /// Returns once no call counted in the windows of this partition's lanes is under way, nor one given up on there may
    /// still reach the platform (<see cref="CallWindow.IdleAsync"/>). Call it after
    /// <see cref="Leave"/> and the partition's own steps ended: then no call can start in these windows
    /// here any more, and those under way (lent to other partitions' steps) are the last.
    /// </summary>
    public async Task CallsOverAsync(CancellationToken cancellationToken)
    {
        foreach (var window in Windows())
        {
            await window.IdleAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The windows carried so far, read outside this lock: a window takes this lock while holding its own
    /// (<see cref="CallWindow.LendWhile"/>), so its own must never be taken under this one.
    /// </summary>
    private CallWindow[] Windows()
    {
        lock (_lock)
        {
            return [.. _windows];
        }
    }
}
