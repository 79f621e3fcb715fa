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
}
