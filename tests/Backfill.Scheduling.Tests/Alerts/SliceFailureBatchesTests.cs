using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

public sealed class SliceFailureBatchesTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static FailedSlice Failed(string id, DateTimeOffset at) => new(id, "1", 1, at, $"{id} failed", "Permanent");

    [Fact]
    public void FailuresOfAJobWithinAMinute_OneBatch_DueAMinuteAfterTheFirst_ListingEachInOrder()
    {
        var batches = new SliceFailureBatches(Minute);
        batches.Add("j", "shopee", Failed("a", Now), Now);
        batches.Add("j", "shopee", Failed("b", Now.AddSeconds(40)), Now.AddSeconds(40));

        Assert.Empty(batches.TakeDue(Now.AddSeconds(59)));
        var batch = Assert.Single(batches.TakeDue(Now + Minute));

        Assert.Equal(AlertEvents.SliceFailed, batch.Event);
        Assert.Equal(["a", "b"], batch.Slices!.Select(s => s.Slice));
        Assert.Equal(("j", "shopee", Now + Minute), (batch.Job, batch.Platform, batch.At));
        Assert.Empty(batches.TakeDue(Now + (2 * Minute)));
    }

    [Fact]
    public void AFailureAfterABatchWasSent_OpensTheNextBatch_WithItsOwnKey()
    {
        var batches = new SliceFailureBatches(Minute);
        batches.Add("j", "shopee", Failed("a", Now), Now);
        var first = Assert.Single(batches.TakeDue(Now + Minute));
        batches.Add("j", "shopee", Failed("b", Now + Minute), Now + Minute);

        var second = Assert.Single(batches.TakeDue(Now + (2 * Minute)));

        Assert.Equal(["b"], second.Slices!.Select(s => s.Slice));
        Assert.NotEqual(first.Key, second.Key);
    }

    [Fact]
    public void JobsAreBatchedApart()
    {
        var batches = new SliceFailureBatches(Minute);
        batches.Add("j1", "shopee", Failed("a", Now), Now);
        batches.Add("j2", "lazada", Failed("b", Now), Now.AddSeconds(1));

        var due = batches.TakeDue(Now.AddSeconds(61));

        Assert.Equal([("j1", "a"), ("j2", "b")], due.Select(b => (b.Job!, Assert.Single(b.Slices!).Slice)));
    }

    [Fact]
    public void Take_GivesAJobsOpenBatchAtOnce_OthersStay()
    {
        var batches = new SliceFailureBatches(Minute);
        batches.Add("j1", "shopee", Failed("a", Now), Now);
        batches.Add("j2", "shopee", Failed("b", Now), Now);

        var taken = batches.Take("j1", Now.AddSeconds(1));

        Assert.Equal(["a"], taken!.Slices!.Select(s => s.Slice));
        Assert.Null(batches.Take("j1", Now.AddSeconds(1)));
        Assert.Equal(["j2"], batches.TakeAll(Now.AddSeconds(2)).Select(b => b.Job));
    }
}
