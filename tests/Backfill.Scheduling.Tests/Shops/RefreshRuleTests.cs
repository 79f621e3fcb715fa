using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Shops;

public sealed class RefreshRuleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    private ShopRecord Shop(TimeSpan? life, long version = 3, ShopState state = ShopState.Active, bool refreshToken = true)
    {
        var now = _time.GetUtcNow();
        return new ShopRecord
        {
            Id = "demo:10001",
            Platform = "demo",
            Shop = "10001",
            State = state,
            TokenVersion = version,
            AccessToken = life is null ? null : [1, 2, 3],
            AccessExpiresAt = life is { } l ? now + l : null,
            LastRefreshAt = life is null ? null : now,
            RefreshToken = refreshToken ? [4, 5, 6] : null,
            UpdatedAt = now,
        };
    }

    [Fact]
    public void AToken_IsDue_WhenLessThanAQuarterOfItsLifeIsLeft()
    {
        var shop = Shop(TimeSpan.FromHours(4));

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(3), RefreshRule.DueAt(shop));
        _time.Advance(TimeSpan.FromHours(3) - TimeSpan.FromMilliseconds(1));
        Assert.False(RefreshRule.IsDue(shop, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(RefreshRule.IsDue(shop, _time.GetUtcNow()));
    }

    [Fact]
    public void ATokenOfAFewSeconds_IsDueAtThreeQuartersOfItsLife_InMilliseconds()
    {
        var shop = Shop(TimeSpan.FromSeconds(4));

        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(RefreshRule.IsDue(shop, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(RefreshRule.IsDue(shop, _time.GetUtcNow()));
    }

    [Fact]
    public void AnUnknownExpiry_WithARefreshToken_IsDueAtOnce()
    {
        Assert.True(RefreshRule.IsDue(Shop(life: null, version: 0), _time.GetUtcNow()));
    }

    [Fact]
    public void AnAccessTokenWithoutItsExpiry_IsDueAtOnce()
    {
        var shop = Shop(TimeSpan.FromHours(4));
        shop.AccessExpiresAt = null;

        Assert.True(RefreshRule.IsDue(shop, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(ShopState.Disabled, true)]
    [InlineData(ShopState.NeedsAuthorization, true)]
    [InlineData(ShopState.Active, false)]
    public void AShopNotActive_OrWithoutARefreshToken_IsNeverDue(ShopState state, bool refreshToken)
    {
        var shop = Shop(life: null, state: state, refreshToken: refreshToken);

        Assert.Null(RefreshRule.DueAt(shop));
        Assert.False(RefreshRule.IsDue(shop, _time.GetUtcNow() + TimeSpan.FromDays(365)));
    }

    [Theory]
    [InlineData(2L, false)]
    [InlineData(3L, true)]
    [InlineData(4L, true)]
    [InlineData(null, true)]
    public void ARefusalOfAnOlderVersion_IsAnsweredAlready_OfTheCurrentOneCallsForARefresh(long? refused, bool refresh)
    {
        Assert.Equal(refresh, RefreshRule.AnswersRefusal(Shop(TimeSpan.FromHours(4), version: 3), refused));
    }

    [Fact]
    public void TheBackOff_DoublesFromOneSecond_AndStopsAtFiveMinutes()
    {
        Assert.Equal(
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300],
            Enumerable.Range(1, 11).Select(failures => RefreshRule.Backoff(failures).TotalSeconds));
    }

    [Fact]
    public void TheBackOff_IsNeverShorterThanThePlatformsRetryAfter()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), RefreshRule.Backoff(1, retryAfter: TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(4), RefreshRule.Backoff(3, retryAfter: TimeSpan.FromSeconds(1)));
    }
}
