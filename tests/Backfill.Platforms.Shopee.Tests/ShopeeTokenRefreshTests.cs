using Backfill.Simulators;

namespace Backfill.Platforms.Shopee.Tests;

/// <summary>The scheduler's refresh call against the simulator: signed as a public call, rotation, classification, its window.</summary>
[Trait("Category", "Integration")]
public sealed class ShopeeTokenRefreshTests : IAsyncLifetime
{
    private const string Refresh = "refresh-10001-secret";

    private PlatformSimulator _sim = null!;

    public async Task InitializeAsync()
    {
        var options = PlatformHarness.SimulatorOptions();
        options.RefreshTokens[PlatformHarness.ShopId] = Refresh;
        options.TokenTtl = TimeSpan.FromSeconds(20);
        _sim = await PlatformSimulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Refresh_ReturnsNewTokens_WithTheirExpiries_AndOnlyTheRotatedRefreshTokenWorksNext()
    {
        using var harness = PlatformHarness.Create(_sim);
        var before = TimeProvider.System.GetUtcNow();

        var tokens = await harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None);
        var next = await harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, tokens.RefreshToken, CancellationToken.None);
        var stale = await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, tokens.RefreshToken, CancellationToken.None));

        Assert.StartsWith(SimulatorTokens.AccessPrefix, tokens.AccessToken, StringComparison.Ordinal);
        Assert.InRange(tokens.AccessExpiresAt, before.AddSeconds(20), TimeProvider.System.GetUtcNow().AddSeconds(20));
        Assert.InRange(tokens.RefreshExpiresAt!.Value, before.AddDays(30), TimeProvider.System.GetUtcNow().AddDays(30));
        Assert.NotEqual(tokens.RefreshToken, next.RefreshToken);
        Assert.Equal((PlatformErrorKind.Permanent, "error_auth"), (stale.Kind, stale.Code));
        Assert.Equal((2, 1), (_sim.Stats.Refreshes, _sim.Stats.RefusedRefreshes));
        Assert.DoesNotContain("***", tokens.AccessToken, StringComparison.Ordinal);
        Assert.DoesNotContain(tokens.AccessToken, tokens.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_Refused_IsPermanent_WithThePlatformsWords_AndNoSecret()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, "revoked-refresh-secret", CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Contains("Invalid refresh_token.", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-refresh-secret", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(PlatformHarness.PartnerKey, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_Throttled_IsThrottle_WithTheRetryAfter()
    {
        using var harness = PlatformHarness.Create(_sim);
        _sim.Switches.ThrottleEverything = true;

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Throttle, TimeSpan.FromSeconds(1)), (failure.Kind, failure.RetryAfter));
    }

    [Fact]
    public async Task Refresh_SlowerThanTheTimeout_IsTransient_AndTheRefreshTokenStillWorks()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("Timeout")] = "00:00:00.100");
        _sim.Switches.Latency = TimeSpan.FromSeconds(1);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Transient, "timeout"), (failure.Kind, failure.Code));
    }

    [Fact]
    public async Task Refresh_GivenUpOn_HoldsItsPlaceForATimeoutMore_ThePlatformMayStillCountItThatLate()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("Timeout")] = timeout.ToString());
        _sim.Switches.Latency = TimeSpan.FromSeconds(1);
        var started = TimeProvider.System.GetUtcNow();
        await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None));
        _sim.Switches.Latency = TimeSpan.Zero;

        await harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None);

        // One refresh a window: the first, given up on a timeout after its start, may arrive until a timeout after that,
        // and the next starts a window later (50 ms for the clocks' reading). The simulator logs a call given up on only
        // if it answers it.
        var next = _sim.Calls.Snapshot().Single(c => c.Outcome == "ok");
        Assert.True(next.At - started >= timeout + timeout + TimeSpan.FromMilliseconds(950), $"{(next.At - started).TotalMilliseconds} ms after the first started");
    }

    [Fact]
    public async Task Refresh_OfOnePlatform_MakesOneCallPerBudgetWindow()
    {
        using var harness = PlatformHarness.Create(_sim);

        var first = await harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, Refresh, CancellationToken.None);
        await harness.Refresh.RefreshAsync(PlatformHarness.Platform, PlatformHarness.ShopId, first.RefreshToken, CancellationToken.None);

        var calls = _sim.Calls.Snapshot();
        Assert.Equal(2, calls.Count);

        // Counted from its start until a window after its answer: the next starts no sooner (50 ms for the clocks' reading).
        Assert.True(calls[1].At - calls[0].AnsweredAt >= TimeSpan.FromMilliseconds(950), $"{(calls[1].At - calls[0].AnsweredAt).TotalMilliseconds} ms apart");
    }

    [Fact]
    public async Task Refresh_OfAPlatformNotConfigured_Throws()
    {
        using var harness = PlatformHarness.Create(_sim);

        await Assert.ThrowsAsync<UnknownPlatformException>(() => harness.Refresh.RefreshAsync("nowhere", PlatformHarness.ShopId, Refresh, CancellationToken.None));
    }
}
