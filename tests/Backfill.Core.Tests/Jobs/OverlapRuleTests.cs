using Backfill.Core.Data;
using Backfill.Core.Jobs;

namespace Backfill.Core.Tests.Jobs;

public sealed class OverlapRuleTests
{
    private static readonly DateOnly May1 = new(2024, 5, 1);
    private static readonly DateTimeOffset Created = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An active job of platform <c>shopee</c>, shops 1 and 2, days [May 1, May 8).</summary>
    private static JobRecord Active(string id = "a", JobState state = JobState.Running, string platform = "shopee", int minutes = 0) => new()
    {
        Id = id,
        Platform = platform,
        Shops = ["1", "2"],
        FirstDay = May1,
        EndDay = May1.AddDays(7),
        State = state,
        CreatedAt = Created.AddMinutes(minutes),
    };

    [Theory]
    [InlineData(0, 7)]
    [InlineData(6, 10)]
    [InlineData(-3, 1)]
    [InlineData(2, 3)]
    [InlineData(-10, 20)]
    public void Find_DaysOverlapEvenPartly_WithASharedShop_IsAnOverlap(int from, int to)
    {
        var overlap = OverlapRule.Find("shopee", ["2", "3"], May1.AddDays(from), May1.AddDays(to), [Active()]);

        Assert.NotNull(overlap);
        Assert.Equal("a", overlap.Job.Id);
        Assert.Equal(["2"], overlap.Shops);
        Assert.Equal(from < 0 ? May1 : May1.AddDays(from), overlap.FirstDay);
        Assert.Equal(to > 7 ? May1.AddDays(7) : May1.AddDays(to), overlap.EndDay);
    }

    [Theory]
    [InlineData(Datasets.Orders, Datasets.Finance | Datasets.Returns, false)]
    [InlineData(Datasets.Orders | Datasets.Finance, Datasets.Returns, false)]
    [InlineData(Datasets.Returns, Datasets.Orders, false)]
    [InlineData(Datasets.Orders | Datasets.Finance, Datasets.Finance, true)]
    [InlineData(Datasets.Orders | Datasets.Finance | Datasets.Returns, Datasets.Returns, true)]
    [InlineData(Datasets.Orders, Datasets.Orders, true)]
    public void Find_SameShopAndDays_OverlapsOnlyWhenTheJobsShareADataset(Datasets active, Datasets asked, bool overlaps)
    {
        var job = Active();
        job.Data = active;

        var overlap = OverlapRule.Find("shopee", ["1"], May1, May1.AddDays(1), [job], asked);

        Assert.Equal(overlaps, overlap is not null);
        Assert.Equal(overlaps ? active & asked : Datasets.None, overlap?.Data ?? Datasets.None);
    }

    [Fact]
    public void Describe_NamesTheDatasetsBothJobsPull()
    {
        var job = Active();
        job.Data = Datasets.Orders | Datasets.Finance;

        var overlap = OverlapRule.Find("shopee", ["1"], May1, May1.AddDays(1), [job], Datasets.Finance | Datasets.Returns)!;

        Assert.Equal("job a (running) already covers shop 1 of shopee for days [2024-05-01, 2024-05-02) (finance)", overlap.Describe());
    }

    [Theory]
    [InlineData(7, 9)]
    [InlineData(-2, 0)]
    public void Find_AdjacentRanges_DoNotOverlap(int from, int to) =>
        Assert.Null(OverlapRule.Find("shopee", ["1"], May1.AddDays(from), May1.AddDays(to), [Active()]));

    [Fact]
    public void Find_NoSharedShop_IsNoOverlap() =>
        Assert.Null(OverlapRule.Find("shopee", ["3"], May1, May1.AddDays(7), [Active()]));

    [Fact]
    public void Find_OtherPlatform_IsNoOverlap_ButCaseDoesNotMatter()
    {
        Assert.Null(OverlapRule.Find("lazada", ["1"], May1, May1.AddDays(1), [Active()]));
        Assert.NotNull(OverlapRule.Find("Shopee", ["1"], May1, May1.AddDays(1), [Active()]));
    }

    [Theory]
    [InlineData(JobState.Paused, true)]
    [InlineData(JobState.Succeeded, false)]
    [InlineData(JobState.Failed, false)]
    [InlineData(JobState.Cancelled, false)]
    public void Find_OnlyRunningOrPausedJobsCount(JobState state, bool overlaps) =>
        Assert.Equal(overlaps, OverlapRule.Find("shopee", ["1"], May1, May1.AddDays(1), [Active(state: state)]) is not null);

    [Fact]
    public void Find_SeveralOverlaps_NamesTheOldestJob()
    {
        var overlap = OverlapRule.Find("shopee", ["1"], May1, May1.AddDays(1), [Active("newer", minutes: 5), Active("older")]);

        Assert.Equal("older", overlap?.Job.Id);
    }

    [Fact]
    public void Describe_NamesTheJobItsStateTheSharedShopsAndDays()
    {
        var overlap = OverlapRule.Find("shopee", ["1", "2"], May1.AddDays(5), May1.AddDays(9), [Active(state: JobState.Paused)])!;

        Assert.Equal("job a (paused) already covers shops 1, 2 of shopee for days [2024-05-06, 2024-05-08) (orders)", overlap.Describe());
    }
}
