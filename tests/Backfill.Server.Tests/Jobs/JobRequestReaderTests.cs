using System.Text;
using Backfill.Core.Data;
using Backfill.Server.Api;
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
        var ask = reading.Value!;
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

        Assert.Equal("Shopee-TW", reading.Value?.Platform);
        Assert.Equal(7, reading.Value?.Days);
    }

    [Fact]
    public void Read_NumericShopIds_AreTakenAsWritten()
    {
        Assert.Equal(["10001", "20002"], Read("""{"platform": "demo", "shops": [10001, "20002"], "days": 1}""").Value?.Shops);
    }

    [Fact]
    public void Read_NullOptionalMembers_AreAbsent()
    {
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 2, "from": null, "to": null, "releaseEvery": null, "slicesPerRelease": null}""").Value;

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

        Assert.Null(reading.Value);
        Assert.Contains("releaseEvery must be \"auto\" or a positive time span", Assert.Single(reading.Errors["releaseEvery"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AutoCadenceAndAPriority_AreRead()
    {
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 1, "releaseEvery": "auto", "priority": "high"}""").Value;

        Assert.Equal((TimeSpan.Zero, Core.Jobs.JobPriority.High), (ask!.ReleaseEvery, ask.Priority));
    }

    [Fact]
    public void Read_UnknownPriority_IsRefusedNamingTheChoices()
    {
        var reading = Read("""{"platform": "demo", "shops": ["1"], "days": 1, "priority": 1}""");

        Assert.Equal("priority must be \"high\", \"normal\" or \"low\" (got 1).", Assert.Single(reading.Errors["priority"]));
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

        Assert.Null(reading.Value);
        Assert.StartsWith(detail, reading.Unreadable, StringComparison.Ordinal);
        Assert.Contains(JobRequestReader.Example, reading.Unreadable, StringComparison.Ordinal);
    }

    [Fact]
    public void ToRequest_Days_EndsToday()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 0, 30, 0, TimeSpan.Zero));
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 2}""").Value!;

        var request = ask.ToRequest(time, TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei"));

        Assert.Equal((new DateOnly(2024, 2, 28), new DateOnly(2024, 3, 1)), (request.From, request.To));
        Assert.Equal("api", request.Source);
    }

    [Theory]
    [InlineData("""["orders", "finance"]""", Datasets.Orders | Datasets.Finance)]
    [InlineData("""["orders,finance,returns"]""", Datasets.Orders | Datasets.Finance | Datasets.Returns)]
    [InlineData("\"returns\"", Datasets.Returns)]
    [InlineData("""["FINANCE", "finance"]""", Datasets.Finance)]
    public void Read_Data_TakesDatasetNames(string data, Datasets expected)
    {
        var reading = Read($$"""{"platform": "demo", "shops": ["1"], "days": 1, "data": {{data}}, "timeField": "update_time"}""");

        Assert.Empty(reading.Errors);
        Assert.Equal((expected, "update_time"), (reading.Value!.Data, reading.Value.TimeField));
        Assert.Equal(expected, reading.Value.ToRequest(TimeProvider.System, TimeZoneInfo.Utc).Data);
    }

    [Fact]
    public void Read_NoDataNorTimeField_IsOrdersByThePlatformsTimeField()
    {
        var ask = Read("""{"platform": "demo", "shops": ["1"], "days": 1}""").Value!;

        Assert.Equal((Datasets.Orders, (string?)null), (ask.Data, ask.TimeField));
    }

    [Theory]
    [InlineData("data", """["orders", "refunds"]""", "'refunds' is not a dataset; the datasets are orders, finance, returns")]
    [InlineData("data", "[]", "No dataset named")]
    [InlineData("data", "[1]", "data must be an array of dataset names")]
    [InlineData("timeField", "\"paid_time\"", "'paid_time' is not a time field; the time fields are create_time and update_time.")]
    [InlineData("timeField", "3", "timeField must be \"create_time\" or \"update_time\" (got 3).")]
    public void Read_BadDataOrTimeField_IsAnErrorOfThatMember(string member, string value, string error)
    {
        var reading = Read($$"""{"platform": "demo", "shops": ["1"], "days": 1, "{{member}}": {{value}}}""");

        Assert.Null(reading.Value);
        Assert.Contains(error, Assert.Single(reading.Errors[member]), StringComparison.Ordinal);
    }

    private static BodyReading<JobAsk> Read(string body) => JobRequestReader.Read(Encoding.UTF8.GetBytes(body), Platforms);
}
