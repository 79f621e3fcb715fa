using System.Text;
using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class JobRequestReaderTests
{
    private static readonly string[] Platforms = ["demo", "Shopee-TW"];

    [Fact]
    public void Read_Range_TakesEveryMember()
    {
        var reading = Read("""{"platform": "demo", "shops": ["10001", " 10002 "], "from": "2024-05-01", "to": "2024-05-08", "releaseEvery": "00:00:01", "slicesPerRelease": 2}""");

        Assert.Empty(reading.Errors);
        var ask = reading.Ask!;
        Assert.Equal("demo", ask.Platform);
        Assert.Equal(["10001", "10002"], ask.Shops);
        Assert.Equal((new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 8)), (ask.From, ask.To));
        Assert.Null(ask.Days);
        Assert.Equal(TimeSpan.FromSeconds(1), ask.ReleaseEvery);
        Assert.Equal(2, ask.SlicesPerRelease);
    }

    [Fact]
    public void Read_MemberNamesInAnyCase_AndPlatformAsConfigured()
    {
        var reading = Read("""{"Platform": "shopee-tw", "SHOPS": ["1"], "Days": 7}""");

        Assert.Equal("Shopee-TW", reading.Ask?.Platform);
        Assert.Equal(7, reading.Ask?.Days);
    }

    [Fact]
    public void Read_NumericShopIds_AreTakenAsWritten()
    {
        Assert.Equal(["10001", "20002"], Read("""{"platform": "demo", "shops": [10001, "20002"], "days": 1}""").Ask?.Shops);
    }

    [Fact]
    public void Read_NullOptionalMembers_AreAbsent()
    {
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 2, "from": null, "to": null, "releaseEvery": null, "slicesPerRelease": null}""").Ask;

        Assert.NotNull(ask);
        Assert.Null(ask.ReleaseEvery);
        Assert.Null(ask.SlicesPerRelease);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0:0:0")]
    [InlineData("soon")]
    public void Read_ReleaseEveryWithoutAPositiveClockTime_IsRefused(string value)
    {
        var reading = Read($$"""{"platform": "demo", "shops": ["1"], "days": 1, "releaseEvery": "{{value}}"}""");

        Assert.Null(reading.Ask);
        Assert.Contains("releaseEvery must be a positive time span", Assert.Single(reading.Errors["releaseEvery"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoPlatformsConfigured_SaysSo()
    {
        var reading = JobRequestReader.Read(Encoding.UTF8.GetBytes("""{"platform": "demo", "shops": ["1"], "days": 1}"""), []);

        Assert.Equal("Unknown platform 'demo'. Configured platforms: (none).", Assert.Single(reading.Errors["platform"]));
    }

    [Theory]
    [InlineData("  \n ", "The body is empty")]
    [InlineData("{\"platform\"", "The body is not valid JSON")]
    [InlineData("42", "The body is a JSON number, not an object")]
    public void Read_NotAnObject_IsUnreadable(string body, string detail)
    {
        var reading = Read(body);

        Assert.Null(reading.Ask);
        Assert.StartsWith(detail, reading.Unreadable, StringComparison.Ordinal);
        Assert.Contains(JobRequestReader.Example, reading.Unreadable, StringComparison.Ordinal);
    }

    [Fact]
    public void ToRequest_Days_EndsToday()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 0, 30, 0, TimeSpan.Zero));
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 2}""").Ask!;

        var request = ask.ToRequest(time, TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei"));

        Assert.Equal((new DateOnly(2024, 2, 28), new DateOnly(2024, 3, 1)), (request.From, request.To));
        Assert.Equal("api", request.Source);
    }

    private static JobRequestReading Read(string body) => JobRequestReader.Read(Encoding.UTF8.GetBytes(body), Platforms);
}
