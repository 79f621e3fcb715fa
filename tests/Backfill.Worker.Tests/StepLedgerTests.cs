using Backfill.Messaging.Contracts;

namespace Backfill.Worker.Tests;

public sealed class StepLedgerTests
{
    private static ActionMessage Step(int attempt, int step) => new()
    {
        Job = "j", Slice = "j/1/20240101", Attempt = attempt, Step = step, Platform = "p", Shop = "1",
        From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch.AddDays(1), Lane = 0, Lanes = 1,
    };

    [Fact]
    public void IsDone_RepeatOfAFinishedStep_IsDetected()
    {
        var ledger = new StepLedger();
        ledger.Done(Step(1, 0));
        ledger.Done(Step(1, 1));

        Assert.True(ledger.IsDone(Step(1, 1)));
        Assert.True(ledger.IsDone(Step(1, 0)));
        Assert.False(ledger.IsDone(Step(1, 2)));
    }

    [Fact]
    public void IsDone_StepOfAnOlderAttempt_IsDetected()
    {
        var ledger = new StepLedger();
        ledger.Done(Step(2, 0));

        Assert.True(ledger.IsDone(Step(1, 5)));
        Assert.False(ledger.IsDone(Step(3, 0)));
    }

    [Fact]
    public void Done_OutOfOrder_KeepsTheFurthestStep()
    {
        var ledger = new StepLedger();
        ledger.Done(Step(1, 4));
        ledger.Done(Step(1, 2));

        Assert.True(ledger.IsDone(Step(1, 3)));
    }

    [Fact]
    public void Done_ManySlices_RemembersTheRecentOnesWithinTwoGenerations()
    {
        var ledger = new StepLedger();
        var total = (5 * StepLedger.Generation) + 123;
        for (var i = 0; i < total; i++)
        {
            ledger.Done(Step(1, 0) with { Slice = $"j/{i}/20240101" });
        }

        // Bounded however many slices pass (R7), and the last generation's worth is always still caught.
        Assert.InRange(ledger.Count, StepLedger.Generation, 2 * StepLedger.Generation);
        for (var i = total - StepLedger.Generation; i < total; i++)
        {
            Assert.True(ledger.IsDone(Step(1, 0) with { Slice = $"j/{i}/20240101" }));
        }

        Assert.False(ledger.IsDone(Step(1, 0) with { Slice = "j/0/20240101" }));
    }

    [Fact]
    public void Done_SliceSeenInTheOlderGeneration_KeepsItsFurthestStep()
    {
        var ledger = new StepLedger();
        ledger.Done(Step(1, 7));
        for (var i = 0; i < StepLedger.Generation; i++)
        {
            ledger.Done(Step(1, 0) with { Slice = $"other/{i}" });
        }

        ledger.Done(Step(1, 3));

        Assert.True(ledger.IsDone(Step(1, 6)));
        Assert.False(ledger.IsDone(Step(1, 8)));
    }

    [Fact]
    public async Task TurnAsync_SecondCopyOfASlice_WaitsUntilTheFirstEnds()
    {
        var ledger = new StepLedger();
        var first = await ledger.TurnAsync("j/1/20240101", CancellationToken.None);
        var second = ledger.TurnAsync("j/1/20240101", CancellationToken.None);
        var other = await ledger.TurnAsync("j/1/20240102", CancellationToken.None);

        Assert.False(second.IsCompleted);
        ledger.Done(Step(1, 0));
        first.Dispose();

        using var turn = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ledger.IsDone(Step(1, 0)));
        other.Dispose();
    }

    [Fact]
    public async Task TurnAsync_Cancelled_GivesUpWithoutTakingTheSlice()
    {
        var ledger = new StepLedger();
        using var first = await ledger.TurnAsync("s", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = ledger.TurnAsync("s", cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
