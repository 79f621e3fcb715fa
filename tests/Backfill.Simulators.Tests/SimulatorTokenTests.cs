using Backfill.Platforms.Shopee;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

/// <summary>The simulator's tokens as the contract has them: a life, a refresh that rotates, the expired answer.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatorTokenTests : IAsyncLifetime
{
    private const string Refresh = "refresh-10001-secret";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;

    public async Task InitializeAsync()
    {
        var options = PlatformHarness.SimulatorOptions();
        options.RefreshTokens[PlatformHarness.ShopId] = Refresh;
        options.TokenTtl = Ttl;
        _sim = await PlatformSimulator.StartAsync(options, _time);
        _day = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n > 10);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    private Task<(int Status, System.Text.Json.JsonElement Body)> ListAsync(string token) =>
        SignedCalls.GetAsync(_http, SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderList, SignedCalls.ListQuery(_day, _day.AddDays(1)), token: token, timestamp: Now));

    private Task<(int Status, System.Text.Json.JsonElement Body)> RefreshAsync(string refreshToken) =>
        SignedCalls.RefreshAsync(_http, _sim.BaseUrl, refreshToken, timestamp: Now);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task ConfiguredToken_WorksForItsLife_ThenIsAnsweredExpired_InShopeesOwnWords()
    {
        _time.Advance(Ttl - TimeSpan.FromSeconds(1));
        var (during, _) = await ListAsync(PlatformHarness.Token);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (after, body) = await ListAsync(PlatformHarness.Token);

        Assert.Equal(200, during);
        Assert.Equal(403, after);
        Assert.Equal("invalid_acceess_token", body.Error());
        Assert.Equal("Invalid access_token.", body.GetProperty("message").GetString());
        Assert.Equal(1, _sim.Stats.ExpiredAnswers);
        Assert.Equal(["ok", "expired"], _sim.Calls.Snapshot().Select(c => c.Outcome));
        Assert.All(_sim.Calls.Snapshot(), c => Assert.Equal(0, c.TokenGeneration));
    }

    [Fact]
    public async Task Refresh_IssuesNewTokens_AndTheUsedRefreshTokenStopsWorking()
    {
        var (status, body) = await RefreshAsync(Refresh);
        var (again, refused) = await RefreshAsync(Refresh);

        Assert.Equal(200, status);
        Assert.Equal("", body.Error());
        var access = body.GetProperty("access_token").GetString()!;
        var rotated = body.GetProperty("refresh_token").GetString()!;
        Assert.StartsWith(SimulatorTokens.AccessPrefix, access, StringComparison.Ordinal);
        Assert.StartsWith(SimulatorTokens.RefreshPrefix, rotated, StringComparison.Ordinal);
        Assert.Equal(20, body.GetProperty("expire_in").GetInt64());
        Assert.Equal(10001, body.GetProperty("shop_id").GetInt64());
        Assert.Equal((403, "error_auth", "Invalid refresh_token."), (again, refused.Error(), refused.GetProperty("message").GetString()));

        var (next, nextBody) = await RefreshAsync(rotated);
        Assert.Equal(200, next);
        Assert.NotEqual(access, nextBody.GetProperty("access_token").GetString());
        Assert.Equal((2, 1), (_sim.Stats.Refreshes, _sim.Stats.RefusedRefreshes));
        Assert.Equal([1, null, 2], _sim.Calls.Snapshot().Select(c => c.TokenGeneration));
    }

    [Fact]
    public async Task EarlierAccessTokens_KeepWorkingUntilTheirOwnExpiry_NewOnesForTheirWholeLife()
    {
        _time.Advance(TimeSpan.FromSeconds(15));
        var (_, first) = await RefreshAsync(Refresh);
        var fresh = first.GetProperty("access_token").GetString()!;

        var (configuredBefore, _) = await ListAsync(PlatformHarness.Token);
        var (freshNow, _) = await ListAsync(fresh);
        _time.Advance(TimeSpan.FromSeconds(5));
        var (configuredAfter, _) = await ListAsync(PlatformHarness.Token);
        var (freshLater, _) = await ListAsync(fresh);
        _time.Advance(TimeSpan.FromSeconds(15));
        var (freshAtItsEnd, _) = await ListAsync(fresh);

        Assert.Equal([200, 200, 403, 200, 403], new[] { configuredBefore, freshNow, configuredAfter, freshLater, freshAtItsEnd });
        Assert.Equal([1, 0, 1, 0, 1, 1], _sim.Calls.Snapshot().Select(c => c.TokenGeneration));
    }

    [Fact]
    public async Task Refresh_CountsAgainstTheCallLimit_LikeAnyCall()
    {
        var options = PlatformHarness.SimulatorOptions(permitsPerSecond: 1);
        options.RefreshTokens[PlatformHarness.ShopId] = Refresh;
        await using var limited = await PlatformSimulator.StartAsync(options, _time);

        var (first, _) = await SignedCalls.RefreshAsync(_http, limited.BaseUrl, Refresh, timestamp: Now);
        var (second, body) = await SignedCalls.RefreshAsync(_http, limited.BaseUrl, "whatever", timestamp: Now);

        Assert.Equal((200, 429), (first, second));
        Assert.Equal("too_many_request", body.Error());
        Assert.Equal((1, 1), (limited.Stats.Accepted, limited.Stats.Refused));
    }

    [Theory]
    [InlineData("wrong-partner-key")]
    public async Task Refresh_SignedWithAnotherKey_IsErrorSign_AndRotatesNothing(string partnerKey)
    {
        var (status, body) = await SignedCalls.RefreshAsync(_http, _sim.BaseUrl, Refresh, timestamp: Now, partnerKey: partnerKey);
        var (after, _) = await RefreshAsync(Refresh);

        Assert.Equal((403, "error_sign"), (status, body.Error()));
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task UnknownAccessToken_IsStillErrorAuth_NotExpired()
    {
        var (status, body) = await ListAsync("never-issued");

        Assert.Equal((403, "error_auth"), (status, body.Error()));
        Assert.Equal(0, _sim.Stats.ExpiredAnswers);
    }
}
