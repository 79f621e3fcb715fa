using Backfill.Platforms;

namespace Backfill.Worker;

/// <summary>
/// How many steps one partition runs side by side. A lane's window admits up to its rate r, and each call keeps a step
/// busy for its latency ℓ, so a lane needs about r·ℓ steps under way (Little's law) and some more waiting for the places
/// its window frees: r·(T + ℓ) + 1, T = 1 s, covers a whole window's calls waiting besides those under way. Under a
/// per-shop limit each shop calling on the lane has its own window there, and a step waiting for a full one keeps its
/// place from the others: one waiting step per such shop, r·(T + ℓ) + shops. A partition carries at most one lane of
/// each platform, so it runs the sum over the platforms this process calls, never fewer than
/// <see cref="WorkerOptions.StepsPerPartition"/> and never more than <see cref="Most"/>. More steps than calls allowed
/// cost nothing at the platform (the window still decides when calls start), only a longer redo after a crash.
/// </summary>
internal sealed class StepPlaces(int least, Func<IEnumerable<BudgetSnapshot>> budgets, TimeProvider time)
{
    /// <summary>At most this many steps per partition, whatever the latency: 64 are 64 calls under way, 200/s at 300 ms.</summary>
    public const int Most = 64;

    /// <summary>The budgets are looked at again this often: latencies move slowly, and a lane's snapshot takes its lock.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long _at;
    private int _current;
    private bool _computed;

    /// <summary>The steps a partition may run now.</summary>
    public int Current
    {
        get
        {
            lock (_lock)
            {
                if (!_computed || time.GetElapsedTime(_at) >= RefreshEvery)
                {
                    _current = For(least, budgets());
                    _at = time.GetTimestamp();
                    _computed = true;
                }

                return _current;
            }
        }
    }

    /// <summary>The rule: Σ over platforms of the busiest lane's ⌈r·(T + ℓ)⌉ + max(1, shops calling on it), between <paramref name="least"/> and <see cref="Most"/>.</summary>
    public static int For(int least, IEnumerable<BudgetSnapshot> budgets)
    {
        var wanted = 0d;
        foreach (var budget in budgets)
        {
            if (budget.Lanes.Count > 0)
            {
                wanted += budget.Lanes.Max(l => Math.Ceiling(l.CallsPerSecond * (LanePlan.OneSecond + l.Latency).TotalSeconds) + Math.Max(1, l.Shops));
            }
        }

        return (int)Math.Clamp(wanted, least, Math.Max(least, Most));
    }
}
