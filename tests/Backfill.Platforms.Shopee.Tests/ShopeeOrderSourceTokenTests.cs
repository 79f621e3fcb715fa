using Backfill.Simulators;
using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Shopee.Tests;

/// <summary>
/// The worker side of token refresh: each attempt signs with the shop's current token, and an expired token makes the
/// call wait (bounded) for a newer one, announced once, then asks the call again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ShopeeOrderSourceTokenTests : IAsyncLifetime
{
    private const string Refresh = "refresh-10001-secret";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _simTime = new(TimeProvider.System.GetUtcNow());
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;

    public async Task InitializeAsync()
    {
        var options = PlatformHarness.SimulatorOptions();
        options.RefreshTokens[PlatformHarness.ShopId] = Refresh;
        options.TokenTtl = Ttl;
        _sim = await PlatformSimulator.StartAsync(options, _simTime);
        _day = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n is > 10 and < 50);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    private PageRequest Day(TimeSpan tokenWait) => new(PlatformHarness.ShopId, _day, _day.AddDays(1), PlatformHarness.OrdersFirstPage) { TokenWait = tokenWait };

    /// <summary>What the scheduler does for the fleet: a refresh at the platform, the new token handed to the book.</summary>
    private async Task<ShopToken> RefreshAsync(IShopTokens tokens, string refreshToken, long version)
    {
        var (status, body) = await SignedCalls.RefreshAsync(_http, _sim.BaseUrl, refreshToken);
        Assert.Equal(200, status);
        var token = new ShopToken(body.GetProperty("access_token").GetString()!, version);
        tokens.Offer(PlatformHarness.Platform, PlatformHarness.ShopId, token);
        return token;
    }

    [Fact]
    public async Task FetchPage_SignsWithTheNewestTokenTheBookHas()
    {
        using var harness = PlatformHarness.Create(_sim);
        await RefreshAsync(harness.Tokens, Refresh, 1);

        var page = await harness.Source.FetchAsync(Day(TimeSpan.Zero), CancellationToken.None);

        Assert.NotEmpty(page.Records);
        Assert.All(_sim.Calls.Snapshot().Where(c => c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal)), c => Assert.Equal(1, c.TokenGeneration));
    }

    [Fact]
    public async Task FetchPage_ARetriedAttempt_SignsWithTheTokenCurrentAtItsOwnStart()
    {
        _sim.Switches.StallFor = TimeSpan.FromSeconds(5);
        _sim.Switches.InjectBurst(SimulatorFault.Stall, 1);
        using var harness = PlatformHarness.Create(_sim, c =>
        {
            c[PlatformHarness.Key("Timeout")] = "00:00:02";
            c[PlatformHarness.Key("Retry:MaxAttempts")] = "2";
        });

        var fetching = harness.Source.FetchAsync(Day(TimeSpan.Zero), CancellationToken.None);
        await Poll.Eventually(() => _sim.Switches.PendingFaults == 0, TimeSpan.FromSeconds(10), "the expired answer");
        await RefreshAsync(harness.Tokens, Refresh, 1);
        await fetching;

        var orderCalls = _sim.Calls.Snapshot().Where(c => c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal)).ToList();
        Assert.Equal("Stall", orderCalls.Single(c => c.TokenGeneration == 0).Outcome);
        Assert.All(orderCalls.Where(c => c.Outcome == "ok"), c => Assert.Equal(1, c.TokenGeneration));
    }

    [Fact]
    public async Task FetchPage_ExpiredToken_IsAnnouncedOnce_WaitsForTheNewerToken_AndAsksTheCallAgain()
    {
        using var harness = PlatformHarness.Create(_sim);
        var refused = new List<(string Platform, string Shop, long Version)>();
        var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sources.TokenRefused += (platform, shop, version) =>
        {
            lock (refused)
            {
                refused.Add((platform, shop, version));
            }

            announced.TrySetResult();
        };
        _simTime.Advance(Ttl);

        // Two pages at once meet the expired token: one announcement for the two.
        var first = harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)), CancellationToken.None);
        var second = harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)) with { Cursor = PlatformHarness.OrdersFirstPage with { Page = "" } }, CancellationToken.None);
        await announced.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Poll.Eventually(() => _sim.Stats.ExpiredAnswers == 2, TimeSpan.FromSeconds(10), "both expired answers");
        Assert.False(first.IsCompleted);
        await RefreshAsync(harness.Tokens, Refresh, 1);
        var pages = await Task.WhenAll(first, second);

        Assert.Equal([(PlatformHarness.Platform, PlatformHarness.ShopId, 0L)], refused);
        Assert.All(pages, p => Assert.NotEmpty(p.Records));
        var calls = _sim.Calls.Snapshot().Where(c => c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count(c => c.Outcome == "expired" && c.TokenGeneration == 0));
        Assert.All(calls.Where(c => c.Outcome != "expired"), c => Assert.Equal((1, "ok"), (c.TokenGeneration, c.Outcome)));
        Assert.Equal(2, harness.Stats.TokensExpired);
    }

    [Fact]
    public async Task FetchPage_StartedAfterAnExpiredAnswer_WaitsForTheNewerToken_WithoutCallingWithTheRefusedOne()
    {
        using var harness = PlatformHarness.Create(_sim);
        var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sources.TokenRefused += (_, _, _) => announced.TrySetResult();
        _simTime.Advance(Ttl);
        var first = harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)), CancellationToken.None);
        await announced.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var later = harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)) with { Cursor = PlatformHarness.OrdersFirstPage with { Page = "" } }, CancellationToken.None);
        var calledBeforeTheNewToken = await Task.WhenAny(later, Task.Delay(TimeSpan.FromMilliseconds(300))) == later || _sim.Stats.ExpiredAnswers > 1;
        await RefreshAsync(harness.Tokens, Refresh, 1);
        var pages = await Task.WhenAll(first, later).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(calledBeforeTheNewToken);
        Assert.All(pages, p => Assert.NotEmpty(p.Records));
        Assert.Equal(1, _sim.Stats.ExpiredAnswers);
        Assert.All(_sim.Calls.Snapshot().Where(c => c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal) && c.Outcome != "expired"), c => Assert.Equal(1, c.TokenGeneration));
    }

    [Fact]
    public async Task FetchPage_ExpiredToken_NoNewerOneWithinTheWait_FailsClearly_WithoutASecret()
    {
        using var harness = PlatformHarness.Create(_sim);
        _simTime.Advance(Ttl);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Day(TimeSpan.FromMilliseconds(200)), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.TokenExpired, failure.Kind);
        Assert.Equal("invalid_acceess_token", failure.Code);
        Assert.Contains("no newer access token for shop 10001 came within 00:00:00.2", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PlatformHarness.Token, failure.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _sim.Stats.ExpiredAnswers);
    }

    [Fact]
    public async Task FetchPage_ExpiredToken_WhenTheFleetRefreshesNoTokens_FailsAtOnce_AndSaysWhatToSet()
    {
        using var harness = PlatformHarness.Create(_sim);
        var announcements = 0;
        harness.Sources.TokenRefused += (_, _, _) => announcements++;
        _simTime.Advance(Ttl);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Day(TimeSpan.Zero), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.TokenExpired, failure.Kind);
        Assert.Contains("Backfill:SecretKey", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Platforms:demo:Shops:10001:AccessToken", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, announcements);
        Assert.Equal(1, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_EveryNewerTokenRefusedToo_GivesUpAfterAFewWaits()
    {
        using var harness = PlatformHarness.Create(_sim);
        var refused = new List<long>();
        harness.Sources.TokenRefused += (platform, shop, version) =>
        {
            refused.Add(version);
            harness.Tokens.Offer(platform, shop, new ShopToken($"never-issued-{version + 1}", version + 1));
        };
        _simTime.Advance(Ttl);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.TokenExpired, failure.Kind);
        Assert.Contains("refused 4 times", failure.Message, StringComparison.Ordinal);
        Assert.Equal([0L, 1L, 2L], refused);
        Assert.Equal(4, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_AShopWithNoTokenYet_WaitsForItsFirst()
    {
        using var harness = PlatformHarness.Create(_sim, c => c.Remove(PlatformHarness.Key($"Shops:{PlatformHarness.ShopId}:AccessToken")));

        var fetching = harness.Source.FetchAsync(Day(TimeSpan.FromMinutes(1)), CancellationToken.None);
        await Task.Delay(100);
        Assert.False(fetching.IsCompleted);
        Assert.Equal(0, _sim.Stats.Accepted);
        await RefreshAsync(harness.Tokens, Refresh, 1);

        Assert.NotEmpty((await fetching).Records);
    }
}
