using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Simulators;
using Xunit.Abstractions;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// Token refresh end to end in one process: the scheduler refreshes every shop's tokens ahead of expiry and at once when
/// a worker saw one refused; workers sign with the newest, and a page whose token was refused is asked again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FleetTokenTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    // A token is replaced a quarter of its life early: 2 s here, for the refresh call, the store and the announcement to
    // reach the workers even when a loaded two-core machine pauses the host for a second.
    private static readonly TimeSpan Life = TimeSpan.FromSeconds(8);

    private static void Rotating(SimulatorOptions options, TimeSpan ttl)
    {
        options.TokenTtl = ttl;
        options.RefreshTokens = Harness.Shops.ToDictionary(s => s, Harness.RefreshToken);
    }

    [Fact]
    public async Task AJobLongerThanSeveralTokenLives_Succeeds_EveryCallSignedWithALiveToken()
    {
        // At 7 calls a second the job's ~220 calls take over 30 s by the rate alone: more than three token lives on any machine.
        await using var harness = await Harness.StartAsync(limit: 7, o => Rotating(o, Life));
        harness.RefreshTokens();
        harness.Settings[$"Platforms:{Harness.Platform}:RateLimit:Lanes"] = "4";
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "20";
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Settings["Backfill:SlicesPerRelease"] = "2";
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 1, 1), 10), null, cts.Token);

        var stats = harness.Simulator.Stats.Snapshot();
        var calls = harness.Simulator.Calls.Snapshot();
        var orderCalls = calls.Where(c => c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal)).ToList();
        var refreshes = calls.Where(c => c.Path.StartsWith("/api/v2/auth", StringComparison.Ordinal) && c.Outcome == "ok").ToList();
        var seconds = (orderCalls[^1].At - orderCalls[0].At).TotalSeconds;
        output.WriteLine($"{summary.Slices.Succeeded}/{summary.Slices.Total} slices, {orderCalls.Count} order calls in {seconds:F1} s; {stats.Refreshes} refreshes, {stats.RefusedRefreshes} refused, {stats.ExpiredAnswers} expired answers");

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.True(seconds > 3 * Life.TotalSeconds, $"the job's calls lasted {seconds:F1} s, fewer than three token lives");
        Assert.Equal(0, stats.RefusedRefreshes);

        // The configured token's life began with the simulator, before the host started: calls that used it before the
        // first refreshed token came may meet its end. Afterwards every token is replaced a quarter of its life early.
        Assert.InRange(stats.ExpiredAnswers, 0, 4);
        foreach (var shop in Harness.Shops)
        {
            // Every token a refresh bought while calls went on was used: the workers always had the newest. A token is
            // replaced a quarter of its life early, so calls may still sign with the one before it for that long (a
            // slower hand-over would show as expired answers above); a token bought later than that before the shop's
            // last call need not have been used.
            var bought = refreshes.Where(r => r.Shop == shop && r.At < orderCalls.Last(c => c.Shop == shop).At - Life / 4).Select(r => r.TokenGeneration).ToList();
            var used = orderCalls.Where(c => c.Shop == shop && c.Outcome == "ok").Select(c => c.TokenGeneration).ToHashSet();
            Assert.True(bought.Count >= 3, $"shop {shop}: {bought.Count} refreshes during its calls");
            Assert.All(bought, generation => Assert.Contains(generation, used));
        }
    }

    [Fact]
    public async Task ATokenThePlatformExpiresEarly_IsRefreshedAtOnce_AndThePageAskedAgain()
    {
        await using var harness = await Harness.StartAsync(limit: 20, o => Rotating(o, TimeSpan.FromHours(1)));
        harness.RefreshTokens();
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "20";
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Settings["Backfill:SlicesPerRelease"] = "1";
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);
        var shop = Harness.Shops[0];

        var running = InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 1, 1), 4), null, cts.Token);
        await Poll.Eventually(() => harness.Simulator.Calls.Snapshot().Count(c => c.Shop == shop && c.Outcome == "ok" && c.TokenGeneration >= 1) >= 3, Limit, "calls with the first refreshed token");
        harness.Simulator.ExpireTokens(shop);
        var summary = await running;

        var calls = harness.Simulator.Calls.Snapshot();
        var expired = calls.Where(c => c.Shop == shop && c.Outcome == "expired").ToList();
        var again = expired.Select(e => calls.First(c => c.Shop == e.Shop && c.Path == e.Path && c.Request == e.Request && c.At > e.At && c.Outcome == "ok")).ToList();
        output.WriteLine($"{expired.Count} expired answers; asked again with a newer token after {string.Join(", ", again.Zip(expired, (a, e) => $"{(a.At - e.AnsweredAt).TotalMilliseconds:F0} ms"))}");

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.NotEmpty(expired);
        Assert.All(again.Zip(expired), pair => Assert.True(pair.First.TokenGeneration > pair.Second.TokenGeneration));

        // At once: seconds, where the rule ahead of expiry would have waited 45 minutes.
        Assert.All(again.Zip(expired), pair => Assert.True(pair.First.At - pair.Second.AnsweredAt < TimeSpan.FromSeconds(10)));
        Assert.Equal(0, harness.Simulator.Stats.RefusedRefreshes);
    }
}
