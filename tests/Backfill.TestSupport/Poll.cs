namespace Backfill.Testing;

/// <summary>Waits for something the code under test does on its own threads, on the real clock: the one way tests wait.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds; fails after <paramref name="timeout"/> naming <paramref name="what"/>.</summary>
    /// <remarks>Often enough for a condition that steps a fake clock each time it is asked.</remarks>
    public static Task Eventually(Func<bool> condition, TimeSpan timeout, string what) =>
        Eventually(() => Task.FromResult(condition()), timeout, what, TimeSpan.FromMilliseconds(10));

    /// <summary>Polls <paramref name="condition"/> every 50 ms (it may ask a server) until it holds; fails after <paramref name="timeout"/> naming <paramref name="what"/>.</summary>
    public static Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually(condition, timeout, what, TimeSpan.FromMilliseconds(50));

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(every);
        }
    }
}
