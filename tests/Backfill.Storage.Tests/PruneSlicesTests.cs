using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Storage.Records;

namespace Backfill.Storage.Tests;

/// <summary>A finished job's slices and their transitions are deleted in bounded batches; what the job was stays.</summary>
public sealed class PruneSlicesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private JobStore Store => new(_temp.Db);

    [Fact]
    public void PruneSlices_OfAFinishedJob_DeletesItsSlicesAndTheirTransitionsInBatches_AndKeepsTheJobItsTotalsAndItsOrders()
    {
        var job = CreateJob("j1", days: 5, shops: ["1", "2"]);
        Succeed("j1/1/20240501", orders: 7);
        Fail("j1/2/20240503");
        new RecordStore(_temp.Db).Upsert([RecordStoreTests.Record(Datasets.Orders, "1", "A", Now, job: "j1")], Now);
        Store.Save(job, job.MoveTo(JobState.Cancelled, Now, "operator"));
        var before = Store.Totals("j1");

        // 10 slices and 5 slice transitions: the transitions go first, then the slices, 6 documents a batch.
        Assert.Equal(6, Store.PruneSlices("j1", limit: 6, Now.AddDays(30)));
        Assert.Equal(new JobTotals(before.Slices, 7, Saved: 1, PrunedAt: Now.AddDays(30), Pruned: false) { Records = before.Records, SavedByData = before.SavedByData }, Store.Totals("j1"));
        Assert.Equal(9, Store.Slices("j1").Count);
        Assert.Empty(_temp.Db.Events.Find(e => e.Subject != "j1"));
        Assert.Equal(6, Store.PruneSlices("j1", limit: 6, Now.AddDays(31)));
        Assert.Equal(3, Store.PruneSlices("j1", limit: 6, Now.AddDays(32)));

        Assert.Empty(Store.Slices("j1"));
        Assert.Equal(new JobTotals(before.Slices, 7, Saved: 1, PrunedAt: Now.AddDays(30), Pruned: true) { Records = before.Records, SavedByData = before.SavedByData }, Store.Totals("j1"));
        Assert.Equal(new SliceCounts(8, 0, 0, 1, 1, 0), Store.Counts("j1"));
        Assert.Equal(JobState.Cancelled, Store.Job("j1")!.State);
        Assert.Equal(["created", "operator"], Store.History("j1").Select(e => e.Reason));
        Assert.NotNull(new RecordStore(_temp.Db).Find(Datasets.Orders, "shopee:1:A"));
        Assert.Equal(0, Store.PruneSlices("j1", limit: 6, Now.AddDays(33)));
    }

    [Fact]
    public void PruneSlices_OfAJobThatIsNotFinished_DeletesNothing()
    {
        CreateJob("j1", days: 2, shops: ["1"]);

        Assert.Equal(0, Store.PruneSlices("j1", limit: 10, Now));
        Assert.Equal(0, Store.PruneSlices("no-such-job", limit: 10, Now));

        Assert.Equal(2, Store.Slices("j1").Count);
        Assert.Null(Store.Totals("j1").PrunedAt);
    }

    [Fact]
    public void PruneSlices_LeavesTheSlicesOfJobsWhoseIdsDifferByCaseOrExtendIt()
    {
        var job = CreateJob("n-1", days: 2, shops: ["1"]);
        CreateJob("N-1", days: 2, shops: ["1"]);
        CreateJob("n-10", days: 2, shops: ["1"]);
        CreateJob("n-1|x", days: 2, shops: ["1"]);
        Store.Save(job, job.MoveTo(JobState.Cancelled, Now, "operator"));

        Assert.Equal(3, Store.PruneSlices("n-1", limit: 10, Now));

        Assert.Equal((0, 2, 2, 2), (Store.Slices("n-1").Count, Store.Slices("N-1").Count, Store.Slices("n-10").Count, Store.Slices("n-1|x").Count));
        Assert.Equal(2, Store.History("N-1/1/20240501").Count + Store.History("n-1|x/1/20240501").Count);
    }

    public void Dispose() => _temp.Dispose();

    private JobRecord CreateJob(string id, int days, string[] shops)
    {
        var job = new JobRecord
        {
            Id = id, Platform = "shopee", Shops = [.. shops], FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 1).AddDays(days),
            State = JobState.Running, CreatedAt = Now,
        };
        var slices = shops.SelectMany(shop => Enumerable.Range(0, days).Select(d => job.FirstDay.AddDays(d))
            .Select(day => new SliceRecord { Id = SliceRecord.MakeId(id, shop, day), JobId = id, Platform = "shopee", Shop = shop, FirstDay = day, EndDay = day.AddDays(1) })).ToList();
        Store.Create(job, slices, new Transition(id, "", "Running", Now, "created"));
        foreach (var slice in slices.Take(1))
        {
            Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));
        }

        return job;
    }

    private void Succeed(string id, long orders)
    {
        var slice = Store.Slice(id)!;
        if (slice.State == SliceState.Pending)
        {
            Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));
        }

        Store.Save(slice, slice.MoveTo(SliceState.Running, Now, "step"));
        slice.Orders = orders;
        Store.Save(slice, slice.MoveTo(SliceState.Succeeded, Now, "done"));
    }

    private void Fail(string id)
    {
        var slice = Store.Slice(id)!;
        Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));
        Store.Save(slice, slice.MoveTo(SliceState.Failed, Now, "boom"));
    }
}
