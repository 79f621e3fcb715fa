
namespace Backfill.Platforms.Shopee.Tests;

public sealed class ShopeeTimeRangeTests
{
    [Fact]
    public void ToInclusiveSeconds_HalfOpenDay_EndsOneSecondBeforeTo()
    {
        var from = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var (timeFrom, timeTo) = ShopeeTimeRange.ToInclusiveSeconds(from, from.AddDays(1));

        Assert.Equal(1_700_000_000, timeFrom);
        Assert.Equal(1_700_000_000 + 86_400 - 1, timeTo);
    }

    [Fact]
    public void ToInclusiveSeconds_FractionalBounds_KeepOnlyWholeSecondsInside()
    {
        var from = DateTimeOffset.FromUnixTimeSeconds(100).AddMilliseconds(500);
        var to = DateTimeOffset.FromUnixTimeSeconds(200).AddMilliseconds(500);

        // Seconds 101..200 lie in [100.5, 200.5).
        Assert.Equal((101L, 200L), ShopeeTimeRange.ToInclusiveSeconds(from, to));
    }

    [Fact]
    public void ToInclusiveSeconds_OtherOffsets_AreTheSameInstants()
    {
        var utc = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var taipei = utc.ToOffset(TimeSpan.FromHours(8));

        Assert.Equal(ShopeeTimeRange.ToInclusiveSeconds(utc, utc.AddDays(1)), ShopeeTimeRange.ToInclusiveSeconds(taipei, taipei.AddDays(1)));
    }
}
