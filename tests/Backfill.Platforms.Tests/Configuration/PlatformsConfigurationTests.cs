using Backfill.Platforms.Configuration;
using Microsoft.Extensions.Configuration;

namespace Backfill.Platforms.Tests.Configuration;

public sealed class PlatformsConfigurationTests
{
    // Later values win, so a test can override one key of Demo.
    private static IConfiguration Config(params (string Key, string Value)[] values)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    private static readonly (string, string)[] Demo =
    [
        ("Platforms:demo:Kind", "shopee"),
        ("Platforms:demo:BaseUrl", "https://partner.shopeemobile.com"),
        ("Platforms:demo:PartnerId", "2001887"),
        ("Platforms:demo:PartnerKey", "key"),
        ("Platforms:demo:Shops:10001:AccessToken", "token"),
        ("Platforms:demo:RateLimit:PermitsPerSecond", "20"),
    ];

    [Fact]
    public void Validate_NoPlatformsSection_IsEmpty() => Assert.Empty(PlatformsConfiguration.Validate(Config()));

    [Fact]
    public void Validate_CompletePlatform_IsEmpty() => Assert.Empty(PlatformsConfiguration.Validate(Config(Demo)));

    [Fact]
    public void Validate_ReportsEveryPlatformUnderItsOwnKey()
    {
        var errors = PlatformsConfiguration.Validate(Config([.. Demo, ("Platforms:other:Kind", "lazada")]));

        Assert.Contains("Platforms:other:AppKey is required.", errors);
        Assert.Contains("Platforms:other:AppSecret is required.", errors);
        Assert.Contains("Platforms:other:RateLimit:PermitsPerSecond must be greater than 0.", errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("Platforms:demo", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ValueOfWrongType_NamesTheKey()
    {
        var errors = PlatformsConfiguration.Validate(Config([.. Demo, ("Platforms:demo:RateLimit:PermitsPerSecond", "fast")]));

        var error = Assert.Single(errors);
        Assert.Contains("Platforms:demo:RateLimit:PermitsPerSecond", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MisspelledKey_IsReported()
    {
        var errors = PlatformsConfiguration.Validate(Config([.. Demo, ("Platforms:demo:RateLimit:PermitPerSecond", "20")]));

        var error = Assert.Single(errors);
        Assert.StartsWith("Platforms:demo:", error, StringComparison.Ordinal);
        Assert.Contains("PermitPerSecond", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReadsTimeSpansAndNestedSections()
    {
        var options = PlatformsConfiguration.Bind(Config(
        [
            .. Demo,
            ("Platforms:demo:Timeout", "00:00:03"),
            ("Platforms:demo:Retry:BaseDelay", "00:00:00.100"),
            ("Platforms:demo:TimeRangeField", "update_time"),
        ]).GetSection("Platforms:demo"));

        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Retry.BaseDelay);
        Assert.Equal("update_time", options.TimeRangeField);
        Assert.Equal("token", options.Shops["10001"].AccessToken);
        Assert.Equal(20, options.RateLimit.PermitsPerSecond);
    }
}
