using Backfill.Core.Data;
using Backfill.Core.Jobs;

namespace Backfill.Storage.Tests;

public sealed class SliceHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    [Fact]
    public void Of_CountsOnlySucceededSlicesOfThatShopAndPlatformThatCountedCalls()
    {
        Create("j1", "shopee",
            Slice("10001", SliceState.Succeeded, calls: 30, days: 1),
            Slice("10001", SliceState.Succeeded, calls: 50, days: 2),
            Slice("10001", SliceState.Failed, calls: 999, days: 1),
            Slice("10001", SliceState.Succeeded, calls: 0, days: 1),
            Slice("10002", SliceState.Succeeded, calls: 500, days: 1));
        Create("j2", "lazada", Slice("10001", SliceState.Succeeded, calls: 700, days: 1));

        var history = new SliceHistory(_temp.Db).Of("shopee", "10001");

        Assert.Equal((2, 80L, 3), (history.Slices, history.Calls, history.Days));
        Assert.Equal(80 / 3.0, history.CallsPerDay(Datasets.Orders));
    }

    [Fact]
    public void Of_CountsEachDatasetsCallsOverTheDaysOfTheSlicesThatPulledIt()
    {
        var both = Slice("10001", SliceState.Succeeded, calls: 310, days: 1);
        both.CallsByData = new() { ["orders"] = 10, ["finance"] = 300 };
        var returns = Slice("10001", SliceState.Succeeded, calls: 4, days: 2);
        returns.CallsByData = new() { ["returns"] = 4 };
        Create("j1", "shopee", both, returns, Slice("10001", SliceState.Succeeded, calls: 20, days: 1));

        var history = new SliceHistory(_temp.Db).Of("shopee", "10001");

        Assert.Equal(15.0, history.CallsPerDay(Datasets.Orders));
        Assert.Equal(300.0, history.CallsPerDay(Datasets.Finance));
        Assert.Equal(2.0, history.CallsPerDay(Datasets.Returns));
    }

    [Fact]
    public void Of_ShopNeverRun_HasNoCallsPerDay()
    {
        Create("j1", "shopee", Slice("10001", SliceState.Pending, calls: 0, days: 1));

        Assert.Null(new SliceHistory(_temp.Db).Of("shopee", "10001").CallsPerDay(Datasets.Orders));
        Assert.Null(new SliceHistory(_temp.Db).Of("shopee", "99999").CallsPerDay(Datasets.Orders));
    }

    [Fact]
    public void Of_SeveralShops_IsWhatEachAloneWouldBe()
    {
        Create("j1", "shopee", Slice("10001", SliceState.Succeeded, calls: 30, days: 1), Slice("10002", SliceState.Succeeded, calls: 40, days: 2));
        Create("j2", "shopee", Slice("10001", SliceState.Succeeded, calls: 50, days: 1));
        var history = new SliceHistory(_temp.Db);

        var both = history.Of("shopee", ["10001", "10002", "10003"]);

        Assert.Equal(history.Of("shopee", "10001"), both["10001"]);
        Assert.Equal((2, 80L, 2), (both["10001"].Slices, both["10001"].Calls, both["10001"].Days));
        Assert.Equal((1, 40L, 2), (both["10002"].Slices, both["10002"].Calls, both["10002"].Days));
        Assert.Null(both["10003"].CallsPerDay(Datasets.Orders));
    }

    [Fact]
    public void Of_StopsAtTheReadLimit_NewestJobsFirst()
    {
        Create("old", "shopee", Slice("10001", SliceState.Succeeded, calls: 30, days: 1));
        Create("new", "shopee", [.. Enumerable.Range(0, 5).Select(_ => Slice("10002", SliceState.Succeeded, calls: 10, days: 1))], createdAt: Now.AddDays(1));

        var history = new SliceHistory(_temp.Db, readLimit: 3).Of("shopee", ["10001", "10002"]);

        Assert.Equal(5, history["10002"].Slices);
        Assert.Null(history["10001"].CallsPerDay(Datasets.Orders));
    }

    public void Dispose() => _temp.Dispose();

    private static SliceRecord Slice(string shop, SliceState state, int calls, int days) =>
        new() { Shop = shop, State = state, Calls = calls, FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 1).AddDays(days), UpdatedAt = Now };

    private void Create(string job, string platform, params SliceRecord[] slices) => Create(job, platform, slices, Now);

    private void Create(string job, string platform, SliceRecord[] slices, DateTimeOffset createdAt)
    {
        for (var i = 0; i < slices.Length; i++)
        {
            slices[i].Id = $"{job}/{slices[i].Shop}/{i}";
            slices[i].JobId = job;
            slices[i].Platform = platform;
        }

        new JobStore(_temp.Db).Create(new JobRecord { Id = job, Platform = platform, CreatedAt = createdAt }, slices, new Transition(job, "", "Running", Now, "test"));
    }
}
