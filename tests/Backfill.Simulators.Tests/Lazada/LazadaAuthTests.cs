using Backfill.Simulators.Lazada;

namespace Backfill.Simulators.Tests.Lazada;

public sealed class LazadaAuthTests
{
    private static readonly DateTimeOffset Now = new(2026, 8, 1, 10, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(0)]
    [InlineData(7_200_000)]
    [InlineData(-7_200_000)]
    public void Timestamp_WithinTwoHoursInMilliseconds_IsAccepted(long offMs) =>
        Assert.True(LazadaAuth.TimestampAccepted(Now.ToUnixTimeMilliseconds() + offMs, Now));

    [Theory]
    [InlineData(7_200_001)]
    [InlineData(-7_200_001)]
    public void Timestamp_MoreThanTwoHoursOff_IsRefused(long offMs) =>
        Assert.False(LazadaAuth.TimestampAccepted(Now.ToUnixTimeMilliseconds() + offMs, Now));

    [Fact]
    public void Timestamp_InSeconds_IsRefused() =>
        Assert.False(LazadaAuth.TimestampAccepted(Now.ToUnixTimeSeconds(), Now));

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Timestamp_OutOfAnyCalendar_IsRefused(long timestamp) =>
        Assert.False(LazadaAuth.TimestampAccepted(timestamp, Now));
}
