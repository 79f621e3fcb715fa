
namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaTimeTests
{
    [Theory]
    [InlineData("2026-08-01 10:12:13 +0800")]
    [InlineData("2026-08-01 10:12:13 +08:00")]
    public void Parse_AnAnswersTime_KeepsItsOffset(string text)
    {
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 12, 13, TimeSpan.FromHours(8)), LazadaTime.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-08-01 10:12:13")]
    [InlineData("2026-08-01T10:12:13+08:00")]
    [InlineData("1785550333")]
    public void Parse_NotAnAnswersTime_IsNull(string? text)
    {
        Assert.Null(LazadaTime.Parse(text));
    }

    [Fact]
    public void Request_IsIso8601WithTheSlicesOffset()
    {
        Assert.Equal("2026-08-01T00:00:00+08:00", LazadaTime.Request(1_785_513_600, TimeSpan.FromHours(8)));
        Assert.Equal("2026-07-31T16:00:00+00:00", LazadaTime.Request(1_785_513_600, TimeSpan.Zero));
    }

    [Fact]
    public void CeilingSeconds_AWholeSecondIsItself_APartOneTheNext()
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(1_785_513_600);

        Assert.Equal(1_785_513_600, LazadaTime.CeilingSeconds(second));
        Assert.Equal(1_785_513_601, LazadaTime.CeilingSeconds(second.AddMilliseconds(1)));
    }
}
