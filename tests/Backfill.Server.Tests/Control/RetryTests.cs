using System.Net.Http.Json;
using System.Text.Json;

namespace Backfill.Server.Tests.Control;

/// <summary>Retry runs failed slices again, one or all, and never the ones that succeeded (R11).</summary>
[Trait("Category", "Integration")]
public sealed class RetryTests
{
    private static readonly string[] RetryMembers = ["job", "state", "retried"];

    [Fact]
    public async Task Retry_FailedSlicesOnly_OneThenAll_UntilTheJobSucceeds_AndWatchSeesItEnd()
    {
        await using var harness = await ServerHarness.StartAsync();
        var server = harness.BaseUrl.ToString();
        harness.Simulator.Switches.AuthFailShops.Add("30002");
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var id = await CancelTests.CreateAsync(harness, new DateOnly(2024, 2, 26), 2);
            var (watched, _, _) = await CliRunner.RunAsync("status", id, "--watch", "--server", server);
            Assert.Equal(1, watched);
            var slices = await CancelTests.SlicesAsync(harness, id);
            Assert.Equal(["succeeded", "succeeded"], slices.Where(s => s.Shop == "30001").Select(s => s.State));
            Assert.Equal(["failed", "failed"], slices.Where(s => s.Shop == "30002").Select(s => s.State));
            var failed = await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?state=failed");
            Assert.All(failed.GetProperty("slices").EnumerateArray(), s => Assert.Contains("error_auth", s.GetProperty("error").GetString(), StringComparison.Ordinal));

            var succeeded = slices.First(s => s.State == "succeeded").Id;
            var refused = await CliRunner.RunAsync("retry", id, "--slice", succeeded, "--server", server);
            Assert.Equal((1, $"error: Slice {succeeded} is succeeded; only failed slices are retried."), (refused.Code, refused.Error.Trim()));

            harness.Simulator.Switches.AuthFailShops.Clear();
            var first = slices.First(s => s.State == "failed").Id;
            var one = await CliRunner.RunAsync("retry", id, "--slice", first, "--json", "--server", server);
            Assert.True(one.Code == 0, one.Error);
            var result = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(one.Out));
            Assert.Equal(RetryMembers, result.EnumerateObject().Select(p => p.Name));
            Assert.Equal("running", result.GetProperty("state").GetString());
            Assert.Equal([first], result.GetProperty("retried").EnumerateArray().Select(s => s.GetString()));

            // The other failed slice still fails the job once the retried one is done.
            await Poll.Eventually(async () => (await CancelTests.SlicesAsync(harness, id)).Single(s => s.Id == first).State == "succeeded", TimeSpan.FromSeconds(60), "the retried slice to succeed");
            await Poll.Eventually(async () => (await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString() == "failed", TimeSpan.FromSeconds(30), "the job to fail again");

            var all = await CliRunner.RunAsync("retry", id, "--server", server);
            Assert.True(all.Code == 0, all.Error);
            Assert.StartsWith($"Job {id} running: 1 failed slice(s) back to pending", all.Out, StringComparison.Ordinal);
            var (code, stdout, _) = await CliRunner.RunAsync("status", id, "--watch", "--server", server);

            Assert.Equal(0, code);
            Assert.Contains($"{id}: succeeded", stdout, StringComparison.Ordinal);
            var final = await CancelTests.SlicesAsync(harness, id);
            Assert.All(final, s => Assert.Equal("succeeded", s.State));
            Assert.All(final.Where(s => s.Shop == "30001"), s => Assert.Equal(1, s.Attempt));
            Assert.All(final.Where(s => s.Shop == "30002"), s => Assert.Equal(2, s.Attempt));
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
