using Backfill.Core.Data;
using Backfill.Core.Shops;
using Backfill.Core.Slicing;

namespace Backfill.Scheduling.Tests;

public sealed class JobShapeTests
{
    private static readonly BackfillOptions Options = new();

    [Fact]
    public void Of_TrimsAndDedupesTheShops_AndCountsTheWindows()
    {
        var shape = JobShape.Of(Request([" 1", "2", "1 ", ""], new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)), new BackfillOptions { SliceDays = 7 }, new KnownShops("1", "2"));

        Assert.Equal(["1", "2"], shape.Shops);
        Assert.Equal(5, shape.Windows);
        Assert.Equal(10, shape.Slices);
    }

    [Fact]
    public void Of_AShopThePlatformDoesNotKnow_IsRefusedNamingIt_AndWhatIsKnown()
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => JobShape.Of(Request(["1", "7", "8"]), Options, new KnownShops("1", "2")));

        Assert.Equal("shops", e.Member);
        Assert.Equal("2 shops 7, 8 are not known to platform demo: a shop is configured under Platforms:demo:Shops:{id}, or added with 'backfill shops add demo ID --refresh-token -'. Known: 1, 2.", e.Message);
    }

    [Fact]
    public void Of_AKnownShopThatIsNotActive_IsRefusedNamingItAndItsState()
    {
        var directory = new KnownShops("1", "2", "3") { States = { ["2"] = ShopState.Disabled } };

        var e = Assert.Throws<InvalidJobRequestException>(() => JobShape.Of(Request(["1", "2"]), Options, directory));

        Assert.Equal("shops", e.Member);
        Assert.Equal("Shop 2 of platform demo is disabled: enable it with 'backfill shops enable demo 2'.", e.Message);
    }

    [Fact]
    public void Of_ManyUnknownShops_ListsTheFirstFewOnly()
    {
        var shops = Enumerable.Range(1, 9_000).Select(i => $"{i}").ToList();

        var e = Assert.Throws<InvalidJobRequestException>(() => JobShape.Of(Request(shops), Options, new KnownShops()));

        Assert.StartsWith("9,000 shops 1, 2, 3,", e.Message, StringComparison.Ordinal);
        Assert.Contains("20 … (8,980 more)", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, e.Message);
    }

    [Fact]
    public void Of_TheLargestRequestABodyCanHold_IsRefusedByCountingAlone()
    {
        // About as many shops as 64 KiB of JSON holds, over the longest range: 32,940,000 slices if they were built.
        var shops = Enumerable.Range(100_000, 9_000).Select(i => $"{i}").ToList();
        var request = Request(shops, new DateOnly(2014, 1, 1), new DateOnly(2014, 1, 1).AddDays(Slicer.MaxDays));
        var directory = new KnownShops([.. shops]);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidJobRequestException>(() => JobShape.Of(request, Options, directory));

        Assert.Equal("slices", e.Member);
        Assert.StartsWith("The job would have 32,940,000 slices (9,000 shop(s) × 3,660 day(s)); at most 200,000 are allowed in one job", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Split it into several jobs: at most 22 day(s) per job for these 9,000 shop(s), or at most 54 shop(s) per job over these days.", e.Message, StringComparison.Ordinal);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4_000_000, $"{allocated:N0} bytes allocated to refuse it");
    }

    [Theory]
    [InlineData(1, 100, 1, 100, null)]
    [InlineData(1, 101, 1, 100, "at most 100 day(s) per job for these 1 shop(s)")]
    [InlineData(300, 1, 1, 100, "at most 100 shop(s) per job over these days.")]
    [InlineData(10, 60, 15, 20, "(10 shop(s) × 60 slice(s) of 15 days); at most 20 are allowed in one job (Backfill:MaxSlicesPerJob). Split it into several jobs: at most 30 day(s) per job for these 10 shop(s).")]
    [InlineData(3, 3, 1, 2, "Split it into several jobs: at most 2 shop(s) per job, 1 day(s) each.")]
    public void TooLarge_SaysHowToSplit(int shops, int windows, int sliceDays, int max, string? says)
    {
        var why = JobShape.TooLarge(new JobShape([.. Enumerable.Range(0, shops).Select(i => $"{i}")], windows), sliceDays, max);

        if (says is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.NotNull(why);
            Assert.Contains(says, why, StringComparison.Ordinal);
        }
    }

    private static BackfillRequest Request(IReadOnlyList<string> shops, DateOnly? from = null, DateOnly? to = null) =>
        new("demo", shops, from ?? new DateOnly(2024, 1, 1), to ?? new DateOnly(2024, 1, 3));

    [Fact]
    public void ADatasetThePlatformDoesNotGive_IsRefusedNamingWhatItGives()
    {
        var directory = new KnownShops("1") { Gives = Datasets.Orders };

        var refused = Assert.Throws<InvalidJobRequestException>(() =>
            JobShape.Of(Request(["1"]) with { Data = Datasets.Orders | Datasets.Finance }, new BackfillOptions(), directory));

        Assert.Equal("Platform demo pulls orders only, not finance.", refused.Message);
        Assert.Single(JobShape.Of(Request(["1"]), new BackfillOptions(), directory).Shops);
    }

    private sealed class KnownShops(params string[] known) : IShopDirectory
    {
        public Dictionary<string, ShopState> States { get; } = [];

        public Datasets Gives { get; init; } = Datasets.Orders | Datasets.Finance | Datasets.Returns;

        public Datasets DatasetsOf(string platform) => Gives;

        public IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops) => [.. shops.Where(s => !known.Contains(s))];

        public IReadOnlyList<string> Known(string platform) => known;

        public IReadOnlyList<(string Shop, ShopState State)> NotActive(string platform, IReadOnlyCollection<string> shops) =>
            [.. shops.Where(s => States.GetValueOrDefault(s) != ShopState.Active).Select(s => (s, States[s]))];
    }
}
