using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// A shop the fleet has never been configured with, brought through the API while <c>serve</c> and a worker host run:
/// the scheduler buys its first access token with the refresh token it was given, the workers take it from the control
/// topic, and a job of it started at once succeeds. No restart, no configuration changed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ShopAddedLiveTests(ITestOutputHelper output)
{
    private const string Added = "20003";
    private const string AddedRefreshToken = "e2e-secret-refresh-added-shop";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AShopAddedThroughTheApi_WithTheFleetRunning_HasAJobOfItDone()
    {
        await using var harness = await Harness.StartAsync(simulator: o => o.RefreshTokens = new() { [Added] = AddedRefreshToken });
        harness.Settings["Backfill:SecretKey"] = Harness.SecretKey;
        harness.Settings["Worker:TokenWait"] = "00:00:30";
        await using var run = await ServerRun.StartAsync(harness);
        var from = new DateOnly(2024, 1, 8);
        const int Days = 3;
        var expected = harness.Simulator.ExpectedOrders(
            Added, new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(from.AddDays(Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        // Before it is added, a job of it is refused: the fleet does not know it.
        using (var unknown = await run.Http.PostAsJsonAsync("/api/jobs", new { platform = Harness.Platform, shops = new[] { Added }, days = 1, dryRun = true }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        using (var added = await run.Http.PostAsJsonAsync($"/api/platforms/{Harness.Platform}/shops", new { shop = Added, refreshToken = AddedRefreshToken, name = "Added live" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            Assert.DoesNotContain(AddedRefreshToken, await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Started at once: its first access token may still be on its way, which the workers wait for.
        var job = await run.CreateAsync(from, Days, Added);
        await run.WaitForStateAsync(job, "succeeded", Limit);
        var sink = run.Server.Services.GetRequiredService<RecordStore>();
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).Unique == expected, Limit, "the sink to hold every order of the added shop");

        var shop = await run.Http.GetFromJsonAsync<JsonElement>($"/api/platforms/{Harness.Platform}/shops/{Added}");
        var stats = harness.Simulator.Stats.Snapshot();
        var calls = harness.Simulator.Calls.Snapshot().Where(c => c.Shop == Added && c.Path.StartsWith("/api/v2/order", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{expected} orders of shop {Added}; {calls.Count} order calls, {calls.Count(c => c.Outcome == "ok")} ok; {stats.Refreshes} refreshes, {stats.RefusedRefreshes} refused; shop: {shop}");

        Assert.Equal("active", shop.GetProperty("state").GetString());
        Assert.True(shop.GetProperty("tokenVersion").GetInt64() >= 1);
        Assert.Equal(0, stats.RefusedRefreshes);
        Assert.All(calls.Where(c => c.Outcome == "ok"), c => Assert.True(c.TokenGeneration >= 1));
    }
}
