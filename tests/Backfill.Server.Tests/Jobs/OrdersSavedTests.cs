using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Messaging.Clients;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Jobs;

/// <summary>
/// A job's success reaches its status before its orders reach the sink (progress and orders are read apart). While the
/// sink is behind — here another member of the sink's group holds half the order partitions and saves nothing — the
/// status says so (<c>orders.saved</c> below <c>orders.emitted</c>, <c>allSaved</c> false) and <c>status --watch</c>
/// keeps waiting; once the sink has caught up, the job is done.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OrdersSavedTests
{
    [Fact]
    public async Task AJobThatSucceededWhileTheSinkIsBehind_IsNotDoneUntilItsOrdersAreSaved_AndWatchWaits()
    {
        await using var harness = await ServerHarness.StartAsync();
        var topics = harness.App.Services.GetRequiredService<KafkaConnection>().Topics;
        using var intruder = new GroupIntruder(harness.Bootstrap, topics.SinkGroup, topics.Orders);
        await intruder.HoldPartitionsAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var id = await CreateAsync(harness);
            JsonElement status = default;
            await Poll.Eventually(async () => (status = await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString() == "succeeded", TimeSpan.FromSeconds(60), "the job to succeed");

            var orders = status.GetProperty("orders");
            var emitted = orders.GetProperty("emitted").GetInt64();
            Assert.True(emitted > 0);
            Assert.False(orders.GetProperty("allSaved").GetBoolean());
            Assert.True(orders.GetProperty("saved").GetInt64() < emitted, $"{orders.GetProperty("saved")} of {emitted} saved while the sink holds half the partitions");

            // The watch does not call the job done while the sink is behind.
            var watch = CliRunner.RunAsync("status", id, "--watch", "--json", "--server", harness.BaseUrl.ToString());
            await Task.WhenAny(watch, Task.Delay(TimeSpan.FromSeconds(4)));
            Assert.False(watch.IsCompleted, "status --watch ended while the sink was behind");
            var (human, stdout, _) = await CliRunner.RunAsync("status", id, "--server", harness.BaseUrl.ToString());
            Assert.Contains("saving: the sink has not saved all the job's orders yet", stdout, StringComparison.Ordinal);
            Assert.False(watch.IsCompleted);

            intruder.Leave();
            var (code, output, error) = await watch.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == 0, error);
            var done = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(output)).GetProperty("orders");
            Assert.True(done.GetProperty("allSaved").GetBoolean());
            Assert.True(done.GetProperty("saved").GetInt64() >= emitted);
            Assert.Equal(0, human);
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    private static async Task<string> CreateAsync(ServerHarness harness)
    {
        using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = ServerHarness.Shops, from = "2024-03-04", to = "2024-03-06", releaseEvery = "00:00:00.200", slicesPerRelease = 4 });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }
}
