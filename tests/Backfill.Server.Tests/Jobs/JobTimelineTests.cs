using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class JobTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FewFinishes_AreEachAPoint_EarliestFirst()
    {
        var points = JobTimeline.Of([T0.AddSeconds(3), T0.AddSeconds(1), T0.AddSeconds(2)]);

        Assert.Equal([(T0.AddSeconds(1), 1), (T0.AddSeconds(2), 2), (T0.AddSeconds(3), 3)], points.Select(p => (p.At, p.Finished)));
    }

    [Fact]
    public void ManyFinishes_AreThinnedEvenly_EndingWithTheLast()
    {
        var points = JobTimeline.Of(Enumerable.Range(1, 1_000).Select(i => T0.AddSeconds(i)));

        Assert.True(points.Count <= JobTimeline.MaxPoints + 1, $"{points.Count} points");
        Assert.Equal((T0.AddSeconds(1_000), 1_000), (points[^1].At, points[^1].Finished));
        Assert.Equal(points.Select(p => p.Finished).Order(), points.Select(p => p.Finished));
        Assert.All(points, p => Assert.Equal(T0.AddSeconds(p.Finished), p.At));
    }

    [Fact]
    public void NoFinish_IsNoPoint() => Assert.Empty(JobTimeline.Of([]));
}
