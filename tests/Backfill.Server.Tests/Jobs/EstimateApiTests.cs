using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Messaging.Clients;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Jobs;

[Trait("Category", "Integration")]
public sealed class EstimateApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static readonly string[] EstimateMembers = ["dryRun", "platform", "shops", "from", "to", "data", "slices", "expectedCalls", "expectedSeconds", "releaseBoundSeconds", "rateBoundSeconds", "shopBoundSeconds", "quotaBoundSeconds", "quotaPeriods", "quotas", "basis", "perData", "dominant", "perShop"];
    public static readonly string[] ShopMembers = ["shop", "slices", "callsPerDay", "basis"];

    private HttpClient Http => fixture.Harness.Http;

    [Fact]
    public async Task DryRun_Is200WithTheEstimateShape_AndWritesNothing()
    {
        var services = fixture.Harness.App.Services;
        var clients = services.GetRequiredService<KafkaClients>();
        var jobsBefore = services.GetRequiredService<JobStore>().Jobs().Count;
        var actionsBefore = Watermarks.High(clients, clients.Connection.Topics.Actions).Values.Sum();

        using var response = await Post("""{"platform": "demo", "shops": ["40001", "40002"], "from": "2024-05-01", "to": "2024-05-08", "releaseEvery": "00:05:00", "dryRun": true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(EstimateMembers, json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("dryRun").GetBoolean());
        Assert.Equal(("demo", "2024-05-01", "2024-05-08"), (json.GetProperty("platform").GetString(), json.GetProperty("from").GetString(), json.GetProperty("to").GetString()));
        Assert.Equal(14, json.GetProperty("slices").GetInt32());
        Assert.Equal(126, json.GetProperty("expectedCalls").GetInt64());

        // The harness releases 4 slices of each shop per period: ⌈7 ÷ 4⌉ × 300 s; 126 calls (3 list + 6 detail per shop-day) at 40 per second.
        Assert.Equal(600, json.GetProperty("releaseBoundSeconds").GetDouble());
        Assert.Equal(3.2, json.GetProperty("rateBoundSeconds").GetDouble());
        Assert.Equal(600, json.GetProperty("expectedSeconds").GetDouble());
        Assert.Equal("default", json.GetProperty("basis").GetString());
        var shop = json.GetProperty("perShop")[0];
        Assert.Equal(ShopMembers, shop.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("40001", 7, 9.0, "default"), (shop.GetProperty("shop").GetString(), shop.GetProperty("slices").GetInt32(), shop.GetProperty("callsPerDay").GetDouble(), shop.GetProperty("basis").GetString()));

        Assert.Null(response.Headers.Location);
        Assert.Equal(jobsBefore, services.GetRequiredService<JobStore>().Jobs().Count);
        Assert.DoesNotContain(services.GetRequiredService<JobStore>().Jobs(), j => j.Shops.Contains("40001"));
        Assert.Equal(actionsBefore, Watermarks.High(clients, clients.Connection.Topics.Actions).Values.Sum());
    }

    [Theory]
    [InlineData("""{"platform": "demo", "shops": ["40001"], "days": 1, "dryRun": "yes"}""", "dryRun must be true (estimate only, create nothing) or false (got \"yes\").")]
    [InlineData("""{"platform": "demo", "shops": ["40001"], "from": "2024-05-08", "to": "2024-05-01", "dryRun": true}""", "The range is reversed")]
    [InlineData("""{"platform": "nope", "shops": ["40001"], "days": 1, "dryRun": true}""", "Unknown platform 'nope'")]
    public async Task DryRun_BadRequest_Is400LikeCreating(string body, string detail)
    {
        using var response = await Post(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunFalse_CreatesTheJob()
    {
        using var response = await Post("""{"platform": "demo", "shops": ["40003"], "from": "2024-05-01", "to": "2024-05-02", "dryRun": false}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private Task<HttpResponseMessage> Post(string body) =>
        Http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
}

[Trait("Category", "Integration")]
public sealed class EstimateFromHistoryTests
{
    private static readonly string[] Ran = ["30001"];
    private static readonly string[] Both = ["30001", "30002"];

    [Fact]
    public async Task DryRun_AfterARunOfTheShop_UsesTheCallsThatRunReallyMade()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = Ran, from = "2024-02-26", to = "2024-02-29", releaseEvery = "00:00:00.200" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            await Poll.Eventually(async () => (await harness.Http.GetFromJsonAsync<JsonElement>(created.Headers.Location)).GetProperty("state").GetString() == "succeeded", TimeSpan.FromSeconds(60), "the job to succeed");
        }
        finally
        {
            await worker.StopAsync();
        }

        // Every call the platform saw (answered or refused), over the three days the run covered.
        var stats = harness.Simulator.Stats;
        var seen = (stats.Accepted + stats.Refused) / 3.0;
        Assert.True(seen > 3, $"the run should have paged through real volume, saw {seen} calls per day");

        using var response = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = Both, days = 10, dryRun = true });
        var estimate = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var perShop = estimate.GetProperty("perShop").EnumerateArray().ToDictionary(s => s.GetProperty("shop").GetString()!);
        Assert.Equal("history", perShop["30001"].GetProperty("basis").GetString());
        Assert.Equal(Math.Round(seen, 2), perShop["30001"].GetProperty("callsPerDay").GetDouble());
        Assert.Equal("default", perShop["30002"].GetProperty("basis").GetString());
        Assert.Equal("default", estimate.GetProperty("basis").GetString());
        Assert.Equal((long)Math.Ceiling(perShop["30001"].GetProperty("callsPerDay").GetDouble() * 10) + 90, estimate.GetProperty("expectedCalls").GetInt64());

        using var alone = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = Ran, days = 10, dryRun = true });
        Assert.Equal("history", (await alone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("basis").GetString());
    }
}
