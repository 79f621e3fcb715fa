using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Budget;

/// <summary>What the budget tests share: callers driven on a fake clock, and what a platform with a sliding window would count.</summary>
internal static class BudgetDrive
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// <paramref name="callers"/> callers that each call again a tick after they were admitted (the call answered at once),
    /// for <paramref name="duration"/>; returns every call's start.
    /// </summary>
    public static async Task<List<DateTimeOffset>> RepeatAsync(FakeTimeProvider time, int callers, Func<Task<RateLimitLease>> next, TimeSpan duration)
    {
        var starts = new List<DateTimeOffset>();
        var pending = Enumerable.Range(0, callers).Select(_ => next()).ToArray();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Tick)
        {
            for (var i = 0; i < pending.Length; i++)
            {
                await Task.Yield();
                if (pending[i].IsCompleted)
                {
                    using (await pending[i])
                    {
                        starts.Add(time.GetUtcNow());
                    }

                    pending[i] = next();
                }
            }

            time.Advance(Tick);
        }

        return starts;
    }

    /// <summary>The most calls that started within any span of <paramref name="window"/>.</summary>
    public static int MaxInAnyWindow(IReadOnlyList<DateTimeOffset> starts, TimeSpan window)
    {
        var sorted = starts.Order().ToList();
        var max = 0;
        for (int first = 0, last = 0; last < sorted.Count; last++)
        {
            while (sorted[last] - sorted[first] >= window)
            {
                first++;
            }

            max = Math.Max(max, last - first + 1);
        }

        return max;
    }

    /// <summary>Whether the admission completes once the fake clock's timers have had their continuations run.</summary>
    public static async Task<bool> StartedSoon(Task<RateLimitLease> admission) =>
        await Task.WhenAny(admission, Task.Delay(TimeSpan.FromMilliseconds(200))) == admission;

    /// <summary>The owner's poll loop, returning every 100 ms.</summary>
    public static void PollFor(FakeTimeProvider time, OwnershipLease lease, TimeSpan duration)
    {
        lease.Renew();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += TimeSpan.FromMilliseconds(100))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            lease.Renew();
        }
    }
}
