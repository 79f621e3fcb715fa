using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Tokens;

public sealed class ShopTokensTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private ShopTokens Tokens() => new(_time, [("Demo", "10001", "configured-10001")]);

    [Fact]
    public void Current_IsTheConfiguredTokenAsVersionZero_WhateverTheCaseOfThePlatform()
    {
        var tokens = Tokens();

        Assert.Equal(new ShopToken("configured-10001", 0), tokens.Current("demo", "10001"));
        Assert.Equal(new ShopToken("configured-10001", 0), tokens.Current("DEMO", "10001"));
        Assert.Null(tokens.Current("demo", "10002"));
    }

    [Fact]
    public void Offer_TakesOnlyAHigherVersion()
    {
        var tokens = Tokens();

        Assert.True(tokens.Offer("demo", "10001", new ShopToken("v2", 2)));
        Assert.False(tokens.Offer("demo", "10001", new ShopToken("v1", 1)));
        Assert.False(tokens.Offer("demo", "10001", new ShopToken("v2 again", 2)));
        Assert.True(tokens.Offer("demo", "10002", new ShopToken("first of 10002", 1)));

        Assert.Equal("v2", tokens.Current("demo", "10001")?.AccessToken);
        Assert.Equal(1, tokens.Current("demo", "10002")?.Version);
    }

    [Fact]
    public async Task WaitForNewer_WhenOneIsThereAlready_ReturnsAtOnce()
    {
        var tokens = Tokens();
        tokens.Offer("demo", "10001", new ShopToken("v1", 1));

        Assert.True(await tokens.WaitForNewerAsync("demo", "10001", 0, Wait, CancellationToken.None));
    }

    [Fact]
    public async Task WaitForNewer_ReturnsOnceANewerIsOffered_NotForAnOlderOne()
    {
        var tokens = Tokens();
        tokens.Offer("demo", "10001", new ShopToken("v3", 3));

        var waiting = tokens.WaitForNewerAsync("demo", "10001", 3, Wait, CancellationToken.None);
        tokens.Offer("demo", "10001", new ShopToken("v2", 2));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);

        tokens.Offer("demo", "10001", new ShopToken("v4", 4));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitForNewer_GivesUpAfterTheLimit_OnTheInjectedClock()
    {
        var tokens = Tokens();

        var waiting = tokens.WaitForNewerAsync("demo", "10001", 0, Wait, CancellationToken.None);
        _time.Advance(Wait - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitForNewer_ForAShopWithNoTokenYet_ReturnsOnItsFirstToken()
    {
        var tokens = Tokens();

        var waiting = tokens.WaitForNewerAsync("demo", "10009", -1, Wait, CancellationToken.None);
        tokens.Offer("demo", "10009", new ShopToken("first", 1));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitForNewer_Cancelled_Throws()
    {
        var tokens = Tokens();
        using var cancel = new CancellationTokenSource();

        var waiting = tokens.WaitForNewerAsync("demo", "10001", 0, Wait, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public void ShopToken_ToString_NeverShowsTheToken()
    {
        Assert.DoesNotContain("configured-10001", Tokens().Current("demo", "10001")!.ToString(), StringComparison.Ordinal);
    }
}
