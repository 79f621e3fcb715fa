using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Tests.Configuration;

public sealed class PlatformOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new PlatformOptions();

        Assert.Equal(100, options.PageSize);
        Assert.Equal("create_time", options.TimeRangeField);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Null(options.RateLimit.Lanes);
        Assert.Equal(RateLimitScope.Fleet, options.RateLimit.Scope);
        Assert.Equal(0, options.RateLimit.SafetyMargin);
        Assert.Equal(TimeSpan.FromMinutes(1), options.RateLimit.Throttle.CoolOff);
        Assert.Equal(3, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Retry.MaxDelay);
    }

    [Fact]
    public void ToString_MasksPartnerKeyAndTokens()
    {
        var options = new PlatformOptions
        {
            Kind = "shopee",
            PartnerId = 7,
            PartnerKey = "partner-key-secret",
            Shops = { ["10001"] = new ShopOptions { AccessToken = "token-secret" } },
        };

        var text = options.ToString();

        Assert.DoesNotContain("partner-key-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-secret", text, StringComparison.Ordinal);
        Assert.Contains("10001", text, StringComparison.Ordinal);
        Assert.Contains("PartnerId=7", text, StringComparison.Ordinal);
    }
}
