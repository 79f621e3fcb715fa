using Backfill.Platforms.Resilience;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class FairTurnsTests
{
    [Fact]
    public void ALoneCaller_IsFirstAtOnce()
    {
        var turns = new FairTurns();

        Assert.True(turns.IsFirst(turns.Enter("a", 4), out _));
    }

    [Fact]
    public void ASmallJobBehindABigOnesQueue_GoesNext_NotAfterTheWholeQueue()
    {
        var turns = new FairTurns();
        var big = Enumerable.Range(0, 10).Select(_ => ("big", turns.Enter("big", 4))).ToList();
        var small = turns.Enter("small", 4);

        var order = Drain(turns, [.. big, ("small", small)]);

        Assert.Equal(1, order.IndexOf("small"));
    }

    [Fact]
    public void AJobWithOneCallAtATime_GetsPlacesByItsWeight_AgainstAJobWithManyWaiting()
    {
        // The small job calls again as soon as it is admitted; the big one always has four calls waiting.
        var turns = new FairTurns();
        var waiting = Enumerable.Range(0, 4).Select(_ => turns.Enter("big", 4)).ToList();
        var small = turns.Enter("small", 8);
        var admitted = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var first = turns.IsFirst(small, out _) ? small : waiting.Single(t => turns.IsFirst(t, out _));
            turns.Admitted(first);
            if (first == small)
            {
                admitted.Add("small");
                small = turns.Enter("small", 8);
            }
            else
            {
                admitted.Add("big");
                waiting.Remove(first);
                waiting.Add(turns.Enter("big", 4));
            }
        }

        Assert.Equal(20, admitted.Count(j => j == "small"));
    }

    [Fact]
    public void Weights_ShareThePlacesInProportion_AndTheLightestIsNeverStarved()
    {
        var turns = new FairTurns();
        var waiting = new List<(string, FairTurns.Ticket)>();
        foreach (var _ in Enumerable.Range(0, 12))
        {
            waiting.Add(("high", turns.Enter("high", 8)));
            waiting.Add(("normal", turns.Enter("normal", 4)));
            waiting.Add(("low", turns.Enter("low", 1)));
        }

        var first13 = Drain(turns, waiting).Take(13).ToList();

        Assert.Equal((8, 4, 1), (first13.Count(j => j == "high"), first13.Count(j => j == "normal"), first13.Count(j => j == "low")));
    }

    [Fact]
    public async Task TheFirstLeaving_WakesTheOthers_AndTheNextIsFirst()
    {
        var turns = new FairTurns();
        var first = turns.Enter("a", 4);
        var next = turns.Enter("b", 4);
        Assert.False(turns.IsFirst(next, out var changed));

        turns.Leave(first);

        await changed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(turns.IsFirst(next, out _));
    }

    /// <summary>Admits the first ticket until none waits; the jobs in the order they were admitted.</summary>
    private static List<string> Drain(FairTurns turns, List<(string Job, FairTurns.Ticket Ticket)> waiting)
    {
        var order = new List<string>();
        while (waiting.Count > 0)
        {
            var at = waiting.FindIndex(w => turns.IsFirst(w.Ticket, out _));
            order.Add(waiting[at].Job);
            turns.Admitted(waiting[at].Ticket);
            waiting.RemoveAt(at);
        }

        return order;
    }
}
