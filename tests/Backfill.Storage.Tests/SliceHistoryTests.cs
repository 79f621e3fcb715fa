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

        Assert.Equal(new ShopHistory(2, 80, 3), history);
        Assert.Equal(80 / 3.0, history.CallsPerDay);
    }

    [Fact]
    public void Of_ShopNeverRun_HasNoCallsPerDay()
    {
        Create("j1", "shopee", Slice("10001", SliceState.Pending, calls: 0, days: 1));

        Assert.Null(new SliceHistory(_temp.Db).Of("shopee", "10001").CallsPerDay);
        Assert.Null(new SliceHistory(_temp.Db).Of("shopee", "99999").CallsPerDay);
    }

    public void Dispose() => _temp.Dispose();

    private static SliceRecord Slice(string shop, SliceState state, int calls, int days) =>
        new() { Shop = shop, State = state, Calls = calls, FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 1).AddDays(days), UpdatedAt = Now };

    private void Create(string job, string platform, params SliceRecord[] slices)
    {
        for (var i = 0; i < slices.Length; i++)
        {
            slices[i].Id = $"{job}/{slices[i].Shop}/{i}";
            slices[i].JobId = job;
            slices[i].Platform = platform;
        }

        new JobStore(_temp.Db).Create(new JobRecord { Id = job, Platform = platform, CreatedAt = Now }, slices, new Transition(job, "", "Running", Now, "test"));
    }
}
