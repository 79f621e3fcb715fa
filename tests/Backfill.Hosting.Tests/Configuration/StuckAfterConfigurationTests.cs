using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class StuckAfterConfigurationTests
{
    [Fact]
    public void TheDefaults_AreValid() => Assert.Empty(ConfigurationCheck.Validate(With()));

    [Fact]
    public void StuckAfter_NotLargerThanAPlatformsLongestStep_IsRefusedNamingTheKeysThatBoundIt()
    {
        // 2 pages × 2 calls (a list call, a detail call for 50 orders) × one 30 s attempt, no throttle pause, a 1 s cool-off: 121 s.
        var errors = ConfigurationCheck.Validate(With(
            ("Backfill:StuckAfter", "00:02:01"), ("Worker:PagesPerStep", "2"), ("Worker:ThrottleRetries", "0"),
            ("Platforms:demo:PageSize", "50"), ("Platforms:demo:Timeout", "00:00:30"), ("Platforms:demo:Retry:MaxAttempts", "1"), ("Platforms:demo:RateLimit:Throttle:CoolOff", "00:00:01")));

        Assert.Equal(
            ["Backfill:StuckAfter (00:02:01) must be larger than the longest step of platform demo (00:02:01: Worker:PagesPerStep pages, each call's Platforms:demo:Timeout on every Retry:MaxAttempts, throttle pauses and a breaker CoolOff); a slice would be released again while its step still runs."],
            errors);
        Assert.Empty(ConfigurationCheck.Validate(With(
            ("Backfill:StuckAfter", "00:02:01.001"), ("Worker:PagesPerStep", "2"), ("Worker:ThrottleRetries", "0"),
            ("Platforms:demo:PageSize", "50"), ("Platforms:demo:Timeout", "00:00:30"), ("Platforms:demo:Retry:MaxAttempts", "1"), ("Platforms:demo:RateLimit:Throttle:CoolOff", "00:00:01"))));
    }

    [Fact]
    public void TheDefaults_WithASecretKey_AreValid() => Assert.Empty(ConfigurationCheck.Validate(With(("Backfill:SecretKey", Core.Secrets.SecretBox.NewKey()))));

    [Fact]
    public void StuckAfter_WhenTheFleetRefreshesTokens_MustAlsoHoldATokenWait()
    {
        (string, string)[] step =
        [
            ("Backfill:StuckAfter", "00:03:00"), ("Worker:PagesPerStep", "2"), ("Worker:ThrottleRetries", "0"), ("Worker:TokenWait", "00:01:00"),
            ("Platforms:demo:PageSize", "50"), ("Platforms:demo:Timeout", "00:00:30"), ("Platforms:demo:Retry:MaxAttempts", "1"), ("Platforms:demo:RateLimit:Throttle:CoolOff", "00:00:01"),
        ];

        // Without a key no call waits for a token: 121 s. With one, a step may wait once for a newer token: 181 s.
        Assert.Empty(ConfigurationCheck.Validate(With(step)));
        Assert.Equal(
            ["Backfill:StuckAfter (00:03:00) must be larger than the longest step of platform demo (00:03:01: Worker:PagesPerStep pages, each call's Platforms:demo:Timeout on every Retry:MaxAttempts, throttle pauses, a breaker CoolOff and a Worker:TokenWait); a slice would be released again while its step still runs."],
            ConfigurationCheck.Validate(With([.. step, ("Backfill:SecretKey", Core.Secrets.SecretBox.NewKey())])));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    public void StuckAfter_NotPositive_IsRefused(string value) =>
        Assert.Contains($"Backfill:StuckAfter must be positive (got {TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)}).", ConfigurationCheck.Validate(With(("Backfill:StuckAfter", value))));

    private static IConfiguration With(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platforms:demo:Kind"] = "shopee",
            ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:5090/",
            ["Platforms:demo:PartnerId"] = "1",
            ["Platforms:demo:PartnerKey"] = "key",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "10",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
