using Backfill.Core.Jobs;

namespace Backfill.Storage.Tests;

/// <summary>The per-job totals the store keeps with every slice write, so a job's status is one read (docs/performance.md, P3).</summary>
public sealed class JobTotalsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private JobStore Store => new(_temp.Db);

    private void CreateJob(string id, params string[] shops)
    {
        var job = new JobRecord { Id = id, Platform = "shopee", Shops = [.. shops], FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 4), State = JobState.Running, CreatedAt = Now };
        var slices = shops.SelectMany(shop => Enumerable.Range(0, 3).Select(d => new SliceRecord
        {
            Id = SliceRecord.MakeId(id, shop, job.FirstDay.AddDays(d)), JobId = id, Platform = "shopee", Shop = shop, FirstDay = job.FirstDay.AddDays(d), EndDay = job.FirstDay.AddDays(d + 1),
        })).ToList();
        Store.Create(job, slices, new Transition(id, "", "Running", Now, "created"));
    }

    /// <summary>What the totals must equal: the slices themselves, read one by one.</summary>
    private JobTotals Counted(string id)
    {
        var slices = Store.Slices(id);
        return new JobTotals(SliceCounts.From(slices.Select(s => s.State)), slices.Sum(s => s.Orders)) { Records = new Dictionary<string, long> { ["orders"] = slices.Sum(s => s.Orders) } };
    }

    [Fact]
    public void Totals_FollowEverySliceWrite_AndMatchTheSlices()
    {
        CreateJob("j1", "1", "2");
        CreateJob("j_", "1");
        var a = Store.Slice("j1/1/20240501")!;
        var b = Store.Slice("j1/2/20240502")!;

        Store.Save([a, b], [a.MoveTo(SliceState.Released, Now, "r"), b.MoveTo(SliceState.Released, Now, "r")]);
        a.Orders = 7;
        Store.Save(a, a.MoveTo(SliceState.Running, Now, "step"));
        a.Orders = 12;
        Store.Save(a, a.MoveTo(SliceState.Succeeded, Now, "done"));
        Store.Save(b, b.MoveTo(SliceState.Failed, Now, "boom"));
        Store.Save(b, b.MoveTo(SliceState.Pending, Now, "retry"));

        Assert.Equal(new JobTotals(new SliceCounts(5, 0, 0, 1, 0, 0), 12) { Records = new Dictionary<string, long> { ["orders"] = 12 } }, Store.Totals("j1"));
        Assert.Equal(Counted("j1"), Store.Totals("j1"));
        Assert.Equal(new JobTotals(new SliceCounts(3, 0, 0, 0, 0, 0), 0), Store.Totals("j_"));
        Assert.Equal(new SliceCounts(5, 0, 0, 1, 0, 0), Store.Counts("j1"));
    }

    [Fact]
    public void Totals_OfEveryJob_ComeInOneCall()
    {
        CreateJob("j1", "1");
        CreateJob("j2", "1", "2");

        var totals = Store.Totals(Store.Jobs());

        Assert.Equal(3, totals["j1"].Slices.Total);
        Assert.Equal(6, totals["j2"].Slices.Total);
    }

    [Fact]
    public void Totals_OfAJobStoredBeforeTheyWereKept_AreCountedOnceAndKeptFromThen()
    {
        CreateJob("j1", "1", "2");
        _temp.Db.Totals.DeleteAll();

        Assert.Equal(new SliceCounts(6, 0, 0, 0, 0, 0), Store.Totals("j1").Slices);
        Assert.NotNull(_temp.Db.Totals.FindById("j1"));

        var a = Store.Slice("j1/1/20240501")!;
        Store.Save(a, a.MoveTo(SliceState.Released, Now, "r"));
        Assert.Equal(Counted("j1"), Store.Totals("j1"));
    }

    [Fact]
    public void Slices_OfAJob_DoNotIncludeThoseOfAJobWhoseIdTheLikePatternAlsoMatches()
    {
        // '_' is LIKE's any-one-character: a LIKE 'j_|%' would also match the keys of j1; the job's own slices only.
        CreateJob("j_", "1");
        CreateJob("j1", "1", "2");

        Assert.Equal(3, Store.Slices("j_").Count);
        Assert.All(Store.Slices("j_"), s => Assert.Equal("j_", s.JobId));
    }

    public void Dispose() => _temp.Dispose();
}
