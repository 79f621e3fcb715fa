using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;

namespace Backfill.Scheduling.Tests.Shops;

public sealed class ShopWarningsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_AHealthyShop_HasNoWarning()
    {
        var shop = Shop();
        shop.LastRefreshAt = Now.AddHours(-1);
        shop.AccessExpiresAt = Now.AddHours(3);
        shop.RefreshExpiresAt = Now.AddDays(29);
        shop.LastRefreshOutcome = "ok";

        Assert.Empty(ShopWarnings.Of(shop, Now));
    }

    [Fact]
    public void Of_UnknownExpiries_AreNoWarning() => Assert.Empty(ShopWarnings.Of(Shop(), Now));

    [Fact]
    public void Of_NeedsAuthorization_SaysWhatTheOperatorDoes()
    {
        var shop = Shop(ShopState.NeedsAuthorization);
        shop.LastRefreshFailed = true;
        shop.LastRefreshAt = Now.AddMinutes(-5);
        shop.LastRefreshOutcome = "refused: error_param: invalid refresh_token";

        Assert.Equal(
            ["needs authorization: the platform refused its refresh token (refused: error_param: invalid refresh_token, 2026-12-05 11:55:00Z); the seller must authorise the app again, then bring the new refresh token with 'backfill shops add demo 1001 --refresh-token -'"],
            ShopWarnings.Of(shop, Now));
    }

    [Fact]
    public void Of_AFailedRefresh_OfAnActiveShop_IsAWarning()
    {
        var shop = Shop();
        shop.LastRefreshFailed = true;
        shop.LastRefreshAt = Now.AddMinutes(-2);
        shop.LastRefreshOutcome = "not answered: timeout";

        Assert.Equal(["the last refresh failed (not answered: timeout, 2026-12-05 11:58:00Z); it is tried again"], ShopWarnings.Of(shop, Now));
    }

    [Theory]
    [InlineData(6.5, "the refresh token lapses in 6 d 12 h (2026-12-12 00:00:00Z): a refresh renews it; if none succeeds before, the seller must authorise the app again")]
    [InlineData(-0.5, "the refresh token lapsed at 2026-12-05 00:00:00Z: the seller must authorise the app again, then bring the new refresh token with 'backfill shops add demo 1001 --refresh-token -'")]
    [InlineData(7.01, null)]
    public void Of_ARefreshTokenWithLessThanSevenDaysLeft_IsAWarning(double days, string? warning)
    {
        var shop = Shop();
        shop.RefreshExpiresAt = Now.AddDays(days);

        Assert.Equal(warning is null ? [] : [warning], ShopWarnings.Of(shop, Now));
    }

    [Fact]
    public void Of_AnAccessTokenPastItsLastEighth_OrExpired_IsAWarning_ForAnActiveShop()
    {
        var lapsing = Shop();
        lapsing.LastRefreshAt = Now.AddMinutes(-215);
        lapsing.AccessExpiresAt = Now.AddMinutes(25);
        var expired = Shop();
        expired.AccessExpiresAt = Now.AddSeconds(-30);
        var early = Shop();
        early.LastRefreshAt = Now.AddMinutes(-200);
        early.AccessExpiresAt = Now.AddMinutes(40);
        var disabled = Shop(ShopState.Disabled);
        disabled.AccessExpiresAt = Now.AddSeconds(-30);

        Assert.Equal(["the access token lapses in 25 min (2026-12-05 12:25:00Z) and no refresh has replaced it yet"], ShopWarnings.Of(lapsing, Now));
        Assert.Equal(["the access token expired at 2026-12-05 11:59:30Z; workers wait for a refreshed one"], ShopWarnings.Of(expired, Now));
        Assert.Empty(ShopWarnings.Of(early, Now));
        Assert.Empty(ShopWarnings.Of(disabled, Now));
    }

    [Fact]
    public void ForJob_PrefixesEachShop_AddsDisabledShops_AndIsNullWhenNothingIsWrong()
    {
        var shops = new Dictionary<string, ShopRecord>
        {
            [ShopRecord.MakeId("demo", "1001")] = Shop(ShopState.NeedsAuthorization),
            [ShopRecord.MakeId("demo", "1002")] = Shop(ShopState.Disabled, "1002"),
            [ShopRecord.MakeId("demo", "1003")] = Shop(shop: "1003"),
        };
        var job = new JobRecord { Id = "j", Platform = "Demo", Shops = ["1001", "1002", "1003", "1004"], State = JobState.Running };

        var warnings = ShopWarnings.ForJob(job, shops, Now);

        Assert.NotNull(warnings);
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("shop 1001: needs authorization: ", warnings[0], StringComparison.Ordinal);
        Assert.Equal("shop 1002: disabled: its tokens are not refreshed, so its slices fail once its access token lapses; enable it with 'backfill shops enable demo 1002'", warnings[1]);
        Assert.Null(ShopWarnings.ForJob(new JobRecord { Id = "k", Platform = "demo", Shops = ["1003"], State = JobState.Running }, shops, Now));
        Assert.Null(ShopWarnings.ForJob(new JobRecord { Id = "done", Platform = "demo", Shops = ["1001"], State = JobState.Succeeded }, shops, Now));
    }

    [Fact]
    public void Expiring_ARefreshTokenWithinAWeek_AndAnAccessTokenUnderAnEighthOfItsLife_NotOnesLapsedOrHealthy()
    {
        var shop = Shop();
        shop.LastRefreshAt = Now.AddHours(-4);
        shop.AccessExpiresAt = Now.AddMinutes(20);
        shop.RefreshExpiresAt = Now.AddDays(6);

        Assert.Equal([("refresh", Now.AddDays(6)), ("access", Now.AddMinutes(20))], ShopWarnings.Expiring(shop, Now).Select(e => (e.Token, e.ExpiresAt)));
        Assert.Equal("it lapses in 20 min and no refresh has replaced it yet", ShopWarnings.Expiring(shop, Now)[1].Why);

        shop.AccessExpiresAt = Now.AddHours(1);
        shop.RefreshExpiresAt = Now.AddDays(8);
        Assert.Empty(ShopWarnings.Expiring(shop, Now));

        shop.AccessExpiresAt = Now.AddMinutes(-1);
        shop.RefreshExpiresAt = Now.AddMinutes(-1);
        Assert.Empty(ShopWarnings.Expiring(shop, Now));
    }

    [Fact]
    public void Expiring_AShopThatNeedsAuthorization_IsToldAsSuch_NotAsExpiring()
    {
        var shop = Shop(ShopState.NeedsAuthorization);
        shop.RefreshExpiresAt = Now.AddDays(1);

        Assert.Empty(ShopWarnings.Expiring(shop, Now));
    }

    private static ShopRecord Shop(ShopState state = ShopState.Active, string shop = "1001") =>
        new() { Id = ShopRecord.MakeId("demo", shop), Platform = "demo", Shop = shop, State = state };
}
