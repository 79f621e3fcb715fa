using System.Net.Http.Headers;

namespace Backfill.Platforms.Tests.Http;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_Seconds_IsThatLong() =>
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfterHeader.Parse(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now));

    [Fact]
    public void Parse_Date_IsTheTimeUntilIt() =>
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfterHeader.Parse(new RetryConditionHeaderValue(Now.AddSeconds(30)), Now));

    [Fact]
    public void Parse_DateInThePast_IsZero() =>
        Assert.Equal(TimeSpan.Zero, RetryAfterHeader.Parse(new RetryConditionHeaderValue(Now.AddSeconds(-30)), Now));

    [Fact]
    public void Parse_Absent_IsNull() => Assert.Null(RetryAfterHeader.Parse(null, Now));
}
