using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Tests.Configuration;

public sealed class PlatformOptionsValidatorTests
{
    private static PlatformOptions Valid() => new()
    {
        Kind = "shopee",
        BaseUrl = new Uri("https://partner.shopeemobile.com"),
        PartnerId = 2001887,
        PartnerKey = "key",
        Shops = { ["10001"] = new ShopOptions { AccessToken = "token" } },
        RateLimit = { PermitsPerSecond = 20 },
    };

    private static IReadOnlyList<string> Validate(Action<PlatformOptions> change)
    {
        var options = Valid();
        change(options);
        return PlatformOptionsValidator.Validate("demo", options);
    }

    [Fact]
    public void Validate_CompleteOptions_HasNoErrors() => Assert.Empty(Validate(_ => { }));

    [Fact]
    public void Validate_NoShops_IsValid() => Assert.Empty(Validate(o => o.Shops.Clear()));

    [Fact]
    public void Validate_MissingPartnerKey_NamesTheKey() =>
        Assert.Equal(["Platforms:demo:PartnerKey is required."], Validate(o => o.PartnerKey = ""));

    [Fact]
    public void Validate_UnsupportedKind_ListsTheSupportedOnes() =>
        Assert.Equal(["Platforms:demo:Kind 'foo' is not supported (supported: shopee, lazada)."], Validate(o => o.Kind = "foo"));

    [Fact]
    public void Validate_KindInOtherCase_IsAccepted() => Assert.Empty(Validate(o => o.Kind = "Shopee"));

    [Fact]
    public void Validate_ZeroPermitsPerSecond_IsRejected() =>
        Assert.Equal(["Platforms:demo:RateLimit:PermitsPerSecond must be greater than 0."], Validate(o => o.RateLimit.PermitsPerSecond = 0));

    [Fact]
    public void Validate_ShopWithoutToken_NamesTheShopsKeys() =>
        Assert.Equal(["Platforms:demo:Shops:10001 needs its AccessToken or its RefreshToken (or both)."], Validate(o => o.Shops["10001"].AccessToken = " "));

    [Fact]
    public void Validate_ShopWithARefreshTokenOnly_IsValid() =>
        Assert.Empty(Validate(o => o.Shops["10001"] = new ShopOptions { RefreshToken = "refresh" }));

    [Fact]
    public void ShopOptions_ToString_MasksBothTokens() =>
        Assert.Equal("AccessToken=***, RefreshToken=***", new ShopOptions { AccessToken = "access-secret", RefreshToken = "refresh-secret" }.ToString());

    [Fact]
    public void Validate_NonNumericShopId_IsRejected() =>
        Assert.Equal(["Platforms:demo:Shops:abc is not a shop id (a decimal number)."], Validate(o => o.Shops["abc"] = new ShopOptions { AccessToken = "t" }));

    [Fact]
    public void Validate_MissingBaseUrlAndPartnerId_ReportsBoth() =>
        Assert.Equal(
            ["Platforms:demo:BaseUrl is required.", "Platforms:demo:PartnerId must be greater than 0."],
            Validate(o => { o.BaseUrl = null; o.PartnerId = 0; }));

    [Fact]
    public void Validate_RelativeBaseUrl_IsRejected() =>
        Assert.Single(Validate(o => o.BaseUrl = new Uri("platform/api", UriKind.Relative)), e => e.StartsWith("Platforms:demo:BaseUrl", StringComparison.Ordinal));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Validate_PageSizeOutsideOneToHundred_IsRejected(int pageSize) =>
        Assert.Equal(["Platforms:demo:PageSize must be between 1 and 100."], Validate(o => o.PageSize = pageSize));

    [Fact]
    public void Validate_UnknownTimeRangeField_IsRejected() =>
        Assert.Equal(
            ["Platforms:demo:TimeRangeField 'pay_time' is not supported (supported: create_time, update_time)."],
            Validate(o => o.TimeRangeField = "pay_time"));

    [Fact]
    public void Validate_UpdateTime_IsAccepted() => Assert.Empty(Validate(o => o.TimeRangeField = "update_time"));

    [Fact]
    public void Validate_MoreLanesThanWholeCallsPerSecond_IsRejected()
    {
        // 2.5 per second is 2 whole calls per second: a third lane would have no share.
        var errors = Validate(o => { o.RateLimit.PermitsPerSecond = 2.5; o.RateLimit.Lanes = 3; });

        Assert.Equal(["Platforms:demo:RateLimit:Lanes must be between 1 and 2 (the whole calls per window that PermitsPerSecond 2.5 allows), got 3."], errors);
    }

    [Fact]
    public void Validate_LanesWhenTheFleetRefreshesTokens_LeaveACallPerWindowForThem()
    {
        var errors = Validate(o => { o.RateLimit.PermitsPerSecond = 5; o.RateLimit.Lanes = 5; o.RateLimit.ReserveTokenCall(true); });

        Assert.Equal(["Platforms:demo:RateLimit:Lanes must be between 1 and 4 (the whole calls per window that PermitsPerSecond 5 allows, less one kept for the scheduler's token calls while Backfill:SecretKey is set), got 5."], errors);
    }

    [Fact]
    public void Validate_DefaultLanes_FitSmallLimits() =>
        Assert.Empty(Validate(o => o.RateLimit.PermitsPerSecond = 0.5));

    [Fact]
    public void Validate_BadThrottleSettings_AreNamed()
    {
        var errors = Validate(o => { o.RateLimit.Throttle.SlowestFactor = 0; o.RateLimit.Throttle.BreakerThreshold = 0; o.RateLimit.PerShopPermitsPerSecond = -1; });

        Assert.Equal(
            ["Platforms:demo:RateLimit:PerShopPermitsPerSecond must be greater than 0 when set.", "Platforms:demo:RateLimit:Throttle:SlowestFactor must be greater than 0 and at most 1.", "Platforms:demo:RateLimit:Throttle:BreakerThreshold must be at least 1."],
            errors);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1000)]
    public void Validate_ArrivalJitterOutsideTheWindow_IsNamed(int milliseconds) =>
        Assert.Equal(
            [$"Platforms:demo:RateLimit:ArrivalJitter must be at least 0 and less than the window (00:00:01), got {TimeSpan.FromMilliseconds(milliseconds)}."],
            Validate(o => { o.RateLimit.Counting = RateLimitCounting.Arrival; o.RateLimit.ArrivalJitter = TimeSpan.FromMilliseconds(milliseconds); }));

    [Fact]
    public void Validate_UnknownCounting_IsNamed() =>
        Assert.Equal(["Platforms:demo:RateLimit:Counting must be Strict or Arrival."], Validate(o => o.RateLimit.Counting = (RateLimitCounting)7));

    [Fact]
    public void Validate_SafetyMarginOfOne_IsRejected() =>
        Assert.Equal(["Platforms:demo:RateLimit:SafetyMargin must be at least 0 and less than 1."], Validate(o => o.RateLimit.SafetyMargin = 1));

    [Fact]
    public void Validate_TimeoutUnderTenMilliseconds_IsRejected() =>
        Assert.Single(Validate(o => o.Timeout = TimeSpan.FromMilliseconds(5)), e => e.StartsWith("Platforms:demo:Timeout", StringComparison.Ordinal));

    [Fact]
    public void Validate_BadRetryAndTimeout_AreReported() =>
        Assert.Equal(
            [
                "Platforms:demo:Retry:MaxAttempts must be at least 1.",
                "Platforms:demo:Retry:MaxDelay must be at least BaseDelay and at most 1.00:00:00.",
                "Platforms:demo:Timeout must be between 00:00:00.0100000 and 1.00:00:00.",
            ],
            Validate(o =>
            {
                o.Retry.MaxAttempts = 0;
                o.Retry.MaxDelay = TimeSpan.FromMilliseconds(1);
                o.Timeout = TimeSpan.Zero;
            }));

    private static IReadOnlyList<string> ValidateLazada(Action<PlatformOptions> change) => Validate(o =>
    {
        o.Kind = "lazada";
        o.BaseUrl = new Uri("https://api.lazada.sg/rest");
        o.PartnerId = 0;
        o.PartnerKey = "";
        o.AppKey = "100001";
        o.AppSecret = "secret";
        o.Shops.Clear();
        o.Shops["seller-a"] = new ShopOptions { AccessToken = "token-a" };
        o.Shops["seller-b"] = new ShopOptions { AccessToken = "token-b" };
        change(o);
    });

    [Fact]
    public void Lazada_Complete_NamedSellers_NoPartnerCredentials_IsValid() => Assert.Empty(ValidateLazada(_ => { }));

    [Fact]
    public void Lazada_ItsOwnProblems_NameTheirKeys()
    {
        var errors = ValidateLazada(o =>
        {
            o.AppKey = "abc";
            o.AppSecret = "";
            o.BaseUrl = new Uri("https://api.lazada.sg/orders");
            o.Shops["seller-b"].AccessToken = "token-a";
            o.RateLimit.PerShopPermitsPerSecond = 2;
        });

        Assert.Equal(5, errors.Count);
        Assert.Contains("Platforms:demo:AppKey 'abc' is not an app key (a decimal number).", errors);
        Assert.Contains("Platforms:demo:AppSecret is required.", errors);
        Assert.Contains(errors, e => e.StartsWith("Platforms:demo:BaseUrl 'https://api.lazada.sg/orders' must be a region's REST address ending in /rest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Platforms:demo:Shops:seller-a, seller-b have the same AccessToken", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Platforms:demo:RateLimit:PerShopPermitsPerSecond does not apply", StringComparison.Ordinal));
    }

    [Fact]
    public void Shopee_ShopIdsMustBeNumbers() =>
        Assert.Equal(["Platforms:demo:Shops:seller-a is not a shop id (a decimal number)."], Validate(o => o.Shops["seller-a"] = new ShopOptions { AccessToken = "t" }));

    [Fact]
    public void Quotas_AreCheckedOneByOne_NamingTheirIndex()
    {
        var errors = Validate(o =>
        {
            o.RateLimit.BackfillShare = 1.5;
            o.RateLimit.Quotas.Add(new QuotaOptions { Calls = 1000, Period = TimeSpan.FromDays(1), ResetTimeZone = "Asia/Singapore" });
            o.RateLimit.Quotas.Add(new QuotaOptions { Calls = 0, Period = TimeSpan.FromDays(2), ResetTimeZone = "Mars/Olympus" });
        });

        Assert.Equal(
            [
                "Platforms:demo:RateLimit:BackfillShare must be greater than 0 and at most 1.",
                "Platforms:demo:RateLimit:Quotas:1:Calls must be at least 1.",
                "Platforms:demo:RateLimit:Quotas:1:Period must be between 00:00:01 and 1.00:00:00.",
                "Platforms:demo:RateLimit:Quotas:1:ResetTimeZone 'Mars/Olympus' is not a time zone this machine knows (an IANA name such as Asia/Singapore, or UTC).",
            ],
            errors);
    }

    [Fact]
    public void AQuotaWhoseShareIsNoCall_IsRefused() =>
        Assert.Equal(
            ["Platforms:demo:RateLimit:Quotas:0:Calls 1 at BackfillShare 0.8 leaves backfills no call."],
            Validate(o => o.RateLimit.Quotas.Add(new QuotaOptions { Calls = 1 })));
}
