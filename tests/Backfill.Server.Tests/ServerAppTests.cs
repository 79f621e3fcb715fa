using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Backfill.Server.Tests;

[Trait("Category", "Integration")]
public sealed class ServerAppTests
{
    [Fact]
    public async Task UnexpectedFailure_Is500ProblemDetailsWithoutTheExceptionOrItsStack()
    {
        await using var harness = await ServerHarness.StartAsync(app => app.MapGet("/boom", IResult () => throw new InvalidOperationException("secret internals")));

        using var response = await harness.Http.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret internals", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listens_OnlyOnTheConfiguredLoopbackAddress()
    {
        await using var harness = await ServerHarness.StartAsync();

        var url = Assert.Single(harness.App.Urls);
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_WithASeparateWorkerHost_RunsToSucceededAndStatusCountsTheOrders()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = ServerHarness.Shops, from = "2024-02-26", to = "2024-02-29", releaseEvery = "00:00:00.200" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            JsonElement status = default;
            await Poll.Eventually(async () =>
            {
                status = await harness.Http.GetFromJsonAsync<JsonElement>(created.Headers.Location);
                return status.GetProperty("state").GetString() != "running";
            }, TimeSpan.FromSeconds(60), "the job to finish");

            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            Assert.Equal(6, status.GetProperty("slices").GetProperty("succeeded").GetInt32());
            var expected = ServerHarness.Shops.Sum(shop => harness.Simulator.ExpectedOrders(shop, new DateTimeOffset(2024, 2, 26, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 2, 29, 0, 0, 0, TimeSpan.Zero)));
            Assert.True(expected > 100, $"the range should hold real volume, got {expected}");
            Assert.True(status.GetProperty("orders").GetProperty("emitted").GetInt64() >= expected);
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
