namespace Backfill.Scheduling.Tests;

public sealed class CallHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AStep_IsSpreadOverTheTimeItTook()
    {
        var history = new CallHistory(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1));

        // 30 calls from 12:00:02.5 to 12:00:17.5: 5 in the first bucket, 10 in each of the next, 5 in the last.
        history.Add(T0.AddSeconds(17.5), TimeSpan.FromSeconds(15), 30, 0);

        var points = history.Points(T0.AddSeconds(19));
        Assert.Equal(12, points.Count);
        Assert.Equal(T0.AddSeconds(15), points[^1].At);
        Assert.Equal([1.0, 2.0, 2.0, 1.0], points.Skip(8).Select(p => p.CallsPerSecond));
        Assert.All(points.Take(8), p => Assert.Equal(0, p.CallsPerSecond));
        Assert.Equal(30, points.Sum(p => p.CallsPerSecond * 5), 6);
    }

    [Fact]
    public void AnInstantStep_AndThrottles_CountInTheBucketItEndedIn()
    {
        var history = new CallHistory(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        history.Add(T0.AddSeconds(3.2), TimeSpan.Zero, 4, 2);
        history.Add(T0.AddSeconds(3.9), TimeSpan.FromSeconds(0.5), 2, 1);

        var point = history.Points(T0.AddSeconds(4)).Single(p => p.At == T0.AddSeconds(3));
        Assert.Equal((6.0, 3), (point.CallsPerSecond, point.Throttles));
    }

    [Fact]
    public void BucketsOlderThanTheWindow_AreForgotten_EvenWhenTheirSlotIsReused()
    {
        var history = new CallHistory(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        history.Add(T0.AddSeconds(0.5), TimeSpan.Zero, 7, 1);

        history.Add(T0.AddSeconds(10.5), TimeSpan.Zero, 3, 0);

        var points = history.Points(T0.AddSeconds(10.5));
        Assert.Equal(T0.AddSeconds(1), points[0].At);
        Assert.Equal(3, points.Sum(p => p.CallsPerSecond));
        Assert.Equal(0, points.Sum(p => p.Throttles));
        Assert.DoesNotContain(history.Points(T0.AddSeconds(30)), p => p.CallsPerSecond > 0);
    }

    [Fact]
    public void AStepLongerThanTheWindow_KeepsOnlyItsShareInTheWindow()
    {
        var history = new CallHistory(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        history.Add(T0.AddSeconds(20), TimeSpan.FromSeconds(20), 200, 0);

        var points = history.Points(T0.AddSeconds(19.5));
        Assert.All(points, p => Assert.Equal(10, p.CallsPerSecond, 6));
    }
}
