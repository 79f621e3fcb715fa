using System.Text;
using Backfill.Server.Api;
using Backfill.Server.Jobs;
using Backfill.Server.Platforms;
using Backfill.Server.Shops;

namespace Backfill.Server.Tests.Api;

/// <summary>Request bodies are read into their records strictly, and every refusal names the member in the request's terms.</summary>
public sealed class StrictBodyTests
{
    private const string Job = """{"platform": "demo", "shops": ["1"], "days": 1""";

    [Theory]
    [InlineData(Job + """, "dayz": 3}""", "dayz", "'dayz' is not a member of a job request; use platform, shops, from, to, days, releaseEvery, slicesPerRelease, priority, dryRun, data, timeField, allowOverlap.")]
    [InlineData(Job + """, "days": 2}""", "days", "days is given 2 times; give it once.")]
    [InlineData(Job + """, "Days": 2}""", "days", "days is given 2 times; give it once.")]
    [InlineData("""{"platform": "demo", "shops": ["1"], "from": "2024-13-01", "to": "2024-05-08"}""", "from", "from must be a date \"YYYY-MM-DD\", the first day (with to) (got \"2024-13-01\").")]
    [InlineData("""{"platform": "demo", "shops": ["1"], "days": "3"}""", "days", "days must be a whole number of days: the N whole days before today (instead of from and to) (got \"3\").")]
    [InlineData("""{"platform": "demo", "shops": ["1"], "days": 0}""", "days", "days must be a whole number of days from 1 to 3660 (got 0).")]
    [InlineData("""{"platform": "demo", "shops": [true], "days": 1}""", "shops", "shops must be a non-empty array of shop ids, e.g. [\"10001\", \"10002\"] (got [true]).")]
    [InlineData("""{"platform": "demo", "shops": [], "days": 1}""", "shops", "shops must name at least one shop (got []).")]
    [InlineData("""{"platform": null, "shops": ["1"], "days": 1}""", "platform", "platform must be the name of a platform configured under Platforms:, e.g. \"shopee\" (got null).")]
    [InlineData("""{"platform": "demo", "days": 1, "dryRun": "yes"}""", "dryRun", "dryRun must be true (estimate only, create nothing) or false (got \"yes\").")]
    public void AJobRequest_RefusedMember_IsNamedWithItsFormAndWhatWasSent(string body, string member, string message)
    {
        var reading = JobRequestReader.Read(Encoding.UTF8.GetBytes(body), ["demo"]);

        Assert.Null(reading.Value);
        Assert.Null(reading.Unreadable);
        Assert.Equal(message, Assert.Single(reading.Errors[member]));
        Assert.DoesNotContain("System.", string.Concat(reading.Errors.Values.SelectMany(m => m)), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredMembers_AreEachNamed()
    {
        var reading = JobRequestReader.Read("""{"days": 1}"""u8.ToArray(), ["demo"]);

        Assert.Equal(["platform", "shops"], reading.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("platform is required: the name of a platform", Assert.Single(reading.Errors["platform"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"shop": "61003", "refreshToken": 12345678}""", "refreshToken", "refreshToken must be a string, the shop's refresh token as the platform gave it when the seller authorised the app (a JSON number was sent; the value is not repeated here).")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok secret 1"}""", "refreshToken", "refreshToken must be one word of 1 to 4,096 printable characters, without spaces (a JSON string was sent; the value is not repeated here).")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok-secret-1", "accessToken": "tok\u0001secret"}""", "accessToken", "accessToken must be one word of 1 to 4,096 printable characters, without spaces (a JSON string was sent; the value is not repeated here).")]
    public void ATokenMember_IsNeverQuotedBack(string body, string member, string message)
    {
        var reading = AddShopReader.Read(Encoding.UTF8.GetBytes(body), "shopee");

        Assert.Equal(message, Assert.Single(reading.Errors[member]));
        Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAddShopRequest_WithANumericShop_IsRead()
    {
        var reading = AddShopReader.Read("""{"shop": 61003, "refreshToken": "r-1", "name": " Main "}"""u8.ToArray(), "shopee");

        Assert.Equal(("61003", "r-1", "Main"), (reading.Value?.Shop, reading.Value?.RefreshToken, reading.Value?.Name));
        Assert.DoesNotContain("r-1", reading.Value!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"permitsPerSecond": null}""", null, true, false)]
    [InlineData("""{"permitsPerSecond": 12.5, "force": true}""", 12.5, true, true)]
    [InlineData("""{"safetyMargin": 0.2}""", null, false, false)]
    public void ALimitRequest_TellsNullFromLeftOut(string body, double? permits, bool limitGiven, bool force)
    {
        var change = PlatformsApi.Read(Encoding.UTF8.GetBytes(body)).Value!;

        Assert.Equal((limitGiven, permits, force), (change.Limit is not null, change.Limit?.Value, change.Force));
    }

    [Theory]
    [InlineData("""{"permitsPerSecond": "12"}""", "permitsPerSecond", "permitsPerSecond must be a number greater than 0, calls per second for the whole fleet, or null to go back to the configured limit (got \"12\").")]
    [InlineData("""{"safetyMargin": 1}""", "safetyMargin", "safetyMargin must be a number at least 0 and less than 1 (or null), got 1.")]
    [InlineData("""{"force": true}""", "limit", "permitsPerSecond or safetyMargin is required")]
    public void ALimitRequest_Refused_NamesTheMember(string body, string member, string message)
    {
        var reading = PlatformsApi.Read(Encoding.UTF8.GetBytes(body));

        Assert.Null(reading.Value);
        Assert.StartsWith(message, Assert.Single(reading.Errors[member]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$", null)]
    [InlineData("$.days", "days")]
    [InlineData("$.shops[0]", "shops")]
    [InlineData("$.a.b", "a")]
    [InlineData("$['odd name']", "odd name")]
    public void Member_IsTheFirstStepOfThePath(string path, string? member) => Assert.Equal(member, StrictBody.Member(path));
}
