using Backfill.Simulators.Lazada;

namespace Backfill.Simulators.Tests.Lazada;

public sealed class LazadaParamsTests
{
    [Theory]
    [InlineData("2026-08-01T00:00:00+08:00", "2026-07-31T16:00:00Z")]
    [InlineData("2026-08-01T00:00:00Z", "2026-08-01T00:00:00Z")]
    [InlineData("2026-08-01T00:00:00.500+08:00", "2026-07-31T16:00:00.5Z")]
    public void Instant_WithAnOffset_IsRead(string text, string utc)
    {
        Assert.Null(LazadaParams.Instant("created_after", text, out var value));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("2026-08-01T00:00:00")]
    [InlineData("2026-08-01T00:00:00 08:00")]
    [InlineData("2026-08-01 00:00:00 +0800")]
    [InlineData("1785513600")]
    [InlineData("")]
    public void Instant_WithoutAnOffsetOrNotIso_IsRefused(string text) =>
        Assert.Contains("created_after", LazadaParams.Instant("created_after", text, out _));

    [Theory]
    [InlineData("", 0)]
    [InlineData("0", 0)]
    [InlineData("5000", 5_000)]
    public void Offset_UpToTheCap_IsRead(string text, int expected)
    {
        Assert.Null(LazadaParams.Offset(text, out var offset));
        Assert.Equal(expected, offset);
    }

    [Theory]
    [InlineData("5001")]
    [InlineData("-1")]
    [InlineData("ten")]
    public void Offset_PastTheCapOrNotANumber_IsRefused(string text) =>
        Assert.Contains("offset", LazadaParams.Offset(text, out _));

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("x")]
    public void Limit_OutsideOneToAHundred_IsRefused(string text) =>
        Assert.NotNull(LazadaParams.Limit(text, out _));

    [Fact]
    public void OrderIds_NumbersAbove2Pow53_AreReadExactly()
    {
        Assert.Null(LazadaParams.OrderIds("[4000739000123456789, \"4000739000123456791\"]", out var ids));
        Assert.Equal([4_000_739_000_123_456_789, 4_000_739_000_123_456_791], ids);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("4000123")]
    [InlineData("[1.5]")]
    [InlineData("[\"abc\"]")]
    [InlineData("[1,")]
    [InlineData("{\"id\":1}")]
    public void OrderIds_Malformed_AreRefused(string text) =>
        Assert.NotNull(LazadaParams.OrderIds(text, out _));

    [Fact]
    public void OrderIds_MoreThanFifty_AreRefused()
    {
        Assert.Null(LazadaParams.OrderIds("[" + string.Join(",", Enumerable.Range(1, 50)) + "]", out _));
        Assert.NotNull(LazadaParams.OrderIds("[" + string.Join(",", Enumerable.Range(1, 51)) + "]", out _));
    }
}
