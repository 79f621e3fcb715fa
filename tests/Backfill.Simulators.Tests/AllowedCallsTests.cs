
namespace Backfill.Simulators.Tests;

public sealed class AllowedCallsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void From_ShopsThatEndTogether_AllowTheSmallerOfRAndTheirLimits()
    {
        Assert.Equal(300, AllowedCalls.From(Start, [Start.AddSeconds(10), Start.AddSeconds(10), Start.AddSeconds(10)], rate: 30, perShop: 10));
        Assert.Equal(200, AllowedCalls.From(Start, [Start.AddSeconds(10), Start.AddSeconds(10), Start.AddSeconds(10)], rate: 20, perShop: 10));
    }

    [Fact]
    public void From_AShopDone_LeavesOnlyTheOthersLimits()
    {
        // Three shops at 10/s under R = 30: all three for 10 s (300), two for 2 s more (40), the last alone for 1 s (10).
        var allowed = AllowedCalls.From(Start, [Start.AddSeconds(12), Start.AddSeconds(10), Start.AddSeconds(13)], rate: 30, perShop: 10);

        Assert.Equal(350, allowed, precision: 9);
    }

    [Fact]
    public void From_RBelowTheShopsLimits_BindsUntilFewShopsAreLeft()
    {
        // R = 15, S = 10: 15/s while two or three shops remain (12 s), 10/s for the last second.
        Assert.Equal(190, AllowedCalls.From(Start, [Start.AddSeconds(10), Start.AddSeconds(12), Start.AddSeconds(13)], rate: 15, perShop: 10), precision: 9);
    }

    [Fact]
    public void From_NoCallAfterTheStart_AllowsNothing() =>
        Assert.Equal(0, AllowedCalls.From(Start, [Start, Start.AddSeconds(-1)], rate: 30, perShop: 10));
}
