using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Platforms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.Server.Tests.Platforms;

[Trait("Category", "Integration")]
public sealed class PlatformsApiTests
{
    private static readonly string[] ViewMembers = ["platform", "permitsPerSecond", "configuredPermitsPerSecond", "live", "lanes", "budget", "safetyMargin", "configuredSafetyMargin", "liveMargin", "perShopPermitsPerSecond", "counting", "arrivalJitterMilliseconds"];

    [Fact]
    public async Task LiveLimit_ReachesRunningWorkers_AndWorkersThatStartLater_AndResetGoesBack()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var early = harness.WorkerHost();
        await early.StartAsync();
        try
        {
            var configured = await PermitsAsync(harness);
            Assert.False(configured.GetProperty("live").GetBoolean());
            var configuredLimit = configured.GetProperty("permitsPerSecond").GetDouble();

            using var set = await harness.Http.PostAsync("/api/platforms/DEMO/limit", Json("""{"permitsPerSecond": 12}"""));
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var view = await set.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(ViewMembers, view.EnumerateObject().Select(p => p.Name));
            Assert.Equal(12, view.GetProperty("permitsPerSecond").GetDouble());
            Assert.Equal(configuredLimit, view.GetProperty("configuredPermitsPerSecond").GetDouble());
            Assert.True(view.GetProperty("live").GetBoolean());

            await WorkerLimit(early, 12);
            using (var late = harness.WorkerHost())
            {
                await late.StartAsync();
                await WorkerLimit(late, 12);
                await late.StopAsync();
            }

            using var reset = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"permitsPerSecond": null}"""));
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            await WorkerLimit(early, configuredLimit);
            Assert.False((await PermitsAsync(harness)).GetProperty("live").GetBoolean());
        }
        finally
        {
            await early.StopAsync();
        }
    }

    [Fact]
    public async Task Platforms_ShowAShopsLimit_AndHowCallsAreCounted_AsConfigured()
    {
        var before = await PlatformsAsync(new Dictionary<string, string?>());
        var after = await PlatformsAsync(new Dictionary<string, string?>
        {
            ["Platforms:demo:RateLimit:PerShopPermitsPerSecond"] = "10",
            ["Platforms:demo:RateLimit:Counting"] = "Arrival",
            ["Platforms:demo:RateLimit:ArrivalJitter"] = "00:00:00.080",
        });

        Assert.Equal((JsonValueKind.Null, "Strict", 0), (before.GetProperty("perShopPermitsPerSecond").ValueKind, before.GetProperty("counting").GetString(), before.GetProperty("arrivalJitterMilliseconds").GetDouble()));
        Assert.Equal((10, "Arrival", 80), (after.GetProperty("perShopPermitsPerSecond").GetDouble(), after.GetProperty("counting").GetString(), after.GetProperty("arrivalJitterMilliseconds").GetDouble()));

        static async Task<JsonElement> PlatformsAsync(IReadOnlyDictionary<string, string?> settings)
        {
            await using var harness = await ServerHarness.StartAsync(settings: settings);
            return (await PermitsAsync(harness)).Clone();
        }
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("[12]", "is a JSON array, not an object")]
    [InlineData("""{"permits": 12}""", "'permits' is not a member here")]
    [InlineData("{}", "permitsPerSecond or safetyMargin is required")]
    [InlineData("""{"safetyMargin": 1}""", "safetyMargin must be a number at least 0 and less than 1")]
    [InlineData("""{"safetyMargin": "0.2"}""", "safetyMargin must be a number at least 0 and less than 1")]
    [InlineData("""{"safetyMargin": 0.9}""", "the highest margin at 40/s is 0.8")]
    [InlineData("""{"permitsPerSecond": "12"}""", "must be a number greater than 0")]
    [InlineData("""{"permitsPerSecond": -1}""", "must be a number greater than 0")]
    [InlineData("""{"permitsPerSecond": 1}""", "lanes")]
    [InlineData("""{"permitsPerSecond": 40.5}""", "a limit of 40.5/s is above the configured 40/s (Platforms:demo:RateLimit:PermitsPerSecond)")]
    [InlineData("""{"permitsPerSecond": 80, "force": false}""", "'backfill limit demo 80 --force'")]
    [InlineData("""{"permitsPerSecond": 80, "force": "yes"}""", "force must be true")]
    public async Task SetLimit_BadBodyOrALimitTheLanesCannotKeep_Is400Problem_AndNothingChanges(string body, string says)
    {
        await using var harness = await ServerHarness.StartAsync();

        using var response = await harness.Http.PostAsync("/api/platforms/demo/limit", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await PermitsAsync(harness)).GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task LiveMargin_ReachesRunningWorkers_KeepsTheLiveLimit_AndALaterLimitKeepsIt_AndResetGoesBack()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            Assert.Equal((0, false), ((await PermitsAsync(harness)).GetProperty("safetyMargin").GetDouble(), (await PermitsAsync(harness)).GetProperty("liveMargin").GetBoolean()));
            using (var limit = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"permitsPerSecond": 30}""")))
            {
                Assert.Equal(HttpStatusCode.OK, limit.StatusCode);
            }

            using var margin = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"safetyMargin": 0.5}"""));
            Assert.Equal(HttpStatusCode.OK, margin.StatusCode);
            var view = await margin.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((30, true, 0.5, 0, true), (
                view.GetProperty("permitsPerSecond").GetDouble(), view.GetProperty("live").GetBoolean(),
                view.GetProperty("safetyMargin").GetDouble(), view.GetProperty("configuredSafetyMargin").GetDouble(), view.GetProperty("liveMargin").GetBoolean()));
            await WorkerLimit(worker, 15);

            // A new limit leaves the live margin as it is: the control message carries both.
            using (var lower = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"permitsPerSecond": 20}""")))
            {
                Assert.Equal(0.5, (await lower.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("safetyMargin").GetDouble());
            }

            await WorkerLimit(worker, 10);
            using (var late = harness.WorkerHost())
            {
                await late.StartAsync();
                await WorkerLimit(late, 10);
                await late.StopAsync();
            }

            using (var reset = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"permitsPerSecond": null, "safetyMargin": null}""")))
            {
                Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            }

            await WorkerLimit(worker, 40);
            var after = await PermitsAsync(harness);
            Assert.Equal((false, false, 0), (after.GetProperty("live").GetBoolean(), after.GetProperty("liveMargin").GetBoolean(), after.GetProperty("safetyMargin").GetDouble()));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task SetLimit_AboveTheConfiguredLimit_TakesForce_AndThenReachesTheWorkers()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            using var set = await harness.Http.PostAsync("/api/platforms/demo/limit", Json("""{"permitsPerSecond": 50, "force": true}"""));

            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var view = await set.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((50, 40, true), (view.GetProperty("permitsPerSecond").GetDouble(), view.GetProperty("configuredPermitsPerSecond").GetDouble(), view.GetProperty("live").GetBoolean()));
            await WorkerLimit(worker, 50);
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task SetLimit_UnknownPlatform_Is404NamingTheConfiguredOnes()
    {
        await using var harness = await ServerHarness.StartAsync();

        using var response = await harness.Http.PostAsync("/api/platforms/lazada/limit", Json("""{"permitsPerSecond": 10}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("configured: demo", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LimitVerb_SetsShowsAndRefusesBadUsage_WithExitCodes()
    {
        await using var harness = await ServerHarness.StartAsync();
        var server = harness.BaseUrl.ToString();

        var set = await CliRunner.RunAsync("limit", "demo", "15", "--server", server, "--json");
        var shown = await CliRunner.RunAsync("limit", "--server", server);
        var zero = await CliRunner.RunAsync("limit", "demo", "0", "--server", server);
        var both = await CliRunner.RunAsync("limit", "demo", "15", "--reset", "--server", server);
        var tooLow = await CliRunner.RunAsync("limit", "demo", "1", "--server", server);
        var unknown = await CliRunner.RunAsync("limit", "lazada", "--server", server);
        var above = await CliRunner.RunAsync("limit", "demo", "45", "--server", server);
        var forceAlone = await CliRunner.RunAsync("limit", "demo", "--reset", "--force", "--server", server);
        var shownAfterRefusals = await CliRunner.RunAsync("limit", "demo", "--server", server);
        var forced = await CliRunner.RunAsync("limit", "demo", "45", "--force", "--server", server, "--json");
        var margin = await CliRunner.RunAsync("limit", "demo", "--margin", "0.25", "--server", server, "--json");
        var shownMargin = await CliRunner.RunAsync("limit", "demo", "--server", server);
        var marginOutOfRange = await CliRunner.RunAsync("limit", "demo", "--margin", "1.5", "--server", server);
        var marginTooHigh = await CliRunner.RunAsync("limit", "demo", "--margin", "0.9", "--server", server);
        var marginAndReset = await CliRunner.RunAsync("limit", "demo", "--margin", "0.1", "--reset", "--server", server);

        Assert.Equal(0, set.Code);
        var view = JsonDocument.Parse(CliRunner.LastLine(set.Out)).RootElement;
        Assert.Equal(ViewMembers, view.EnumerateObject().Select(p => p.Name));
        Assert.Equal(15, view.GetProperty("permitsPerSecond").GetDouble());
        Assert.Equal(0, shown.Code);
        Assert.Contains("15 (live)", shown.Out, StringComparison.Ordinal);
        Assert.Equal(2, zero.Code);
        Assert.Contains("permitsPerSecond must be a number greater than 0", zero.Error, StringComparison.Ordinal);
        Assert.Equal(2, both.Code);
        Assert.Equal(2, tooLow.Code);
        Assert.Contains("lanes", tooLow.Error, StringComparison.Ordinal);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no platform 'lazada'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, above.Code);
        Assert.Contains("is above the configured 40/s", above.Error, StringComparison.Ordinal);
        Assert.Contains("--force", above.Error, StringComparison.Ordinal);
        Assert.Equal(2, forceAlone.Code);
        Assert.Contains("15 (live)", shownAfterRefusals.Out, StringComparison.Ordinal);
        Assert.True(forced.Code == 0, forced.Error);
        Assert.Equal(45, JsonDocument.Parse(CliRunner.LastLine(forced.Out)).RootElement.GetProperty("permitsPerSecond").GetDouble());
        Assert.True(margin.Code == 0, margin.Error);
        var marginView = JsonDocument.Parse(CliRunner.LastLine(margin.Out)).RootElement;
        Assert.Equal((45, 0.25), (marginView.GetProperty("permitsPerSecond").GetDouble(), marginView.GetProperty("safetyMargin").GetDouble()));
        Assert.Contains("0.25 (live)", shownMargin.Out, StringComparison.Ordinal);
        Assert.Contains("margin", shown.Out, StringComparison.Ordinal);
        Assert.Equal(2, marginOutOfRange.Code);
        Assert.Contains("--margin must be at least 0 and less than 1", marginOutOfRange.Error, StringComparison.Ordinal);
        Assert.Equal(2, marginTooHigh.Code);
        Assert.Contains("the highest margin at 45/s is 0.822", marginTooHigh.Error, StringComparison.Ordinal);
        Assert.Equal(2, marginAndReset.Code);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PermitsAsync(ServerHarness harness)
    {
        var list = await harness.Http.GetFromJsonAsync<JsonElement>("/api/platforms");
        return list.GetProperty("platforms").EnumerateArray().Single(p => p.GetProperty("platform").GetString() == ServerHarness.Platform);
    }

    private static Task WorkerLimit(IHost worker, double permits) =>
        Poll.Eventually(
            () => Task.FromResult(worker.Services.GetRequiredService<IOrderSources>().Budget(ServerHarness.Platform).CallsPerSecond == Math.Floor(permits)),
            TimeSpan.FromSeconds(20),
            $"the worker's budget to become {permits}/s");
}
