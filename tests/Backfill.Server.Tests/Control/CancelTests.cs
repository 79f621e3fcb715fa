using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Control;

/// <summary>A cancel stops the job's slices in flight before their next page, through the control topic (R4).</summary>
[Trait("Category", "Integration")]
public sealed class CancelTests
{
    private const int PageSize = 5;

    /// <summary>A page is one list call and, with at most 50 orders, one detail call.</summary>
    private const int CallsPerPage = 2;

    [Fact]
    public async Task Cancel_InFlightSlicesStopBeforeTheirNextPage_AndMakeNoCallAfterwards()
    {
        // Small pages and steps that would otherwise run a whole slice: only the per-page check can stop them early.
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Platforms:demo:PageSize"] = $"{PageSize}",
            ["Worker:PagesPerStep"] = "100",
            ["Backfill:StuckAfter"] = "02:00:00",
        });
        harness.Simulator.Switches.Latency = TimeSpan.FromMilliseconds(100);
        var (from, days) = BusyDays(harness, minOrders: 40);
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var id = await CreateAsync(harness, from, days);
            await Poll.Eventually(async () => (await SlicesAsync(harness, id)).Count(s => s.State == "running") >= 2 && harness.Simulator.Stats.Accepted >= 12, TimeSpan.FromSeconds(60), "steps to be under way");

            var before = harness.Simulator.Stats.Accepted;
            var inFlight = (await SlicesAsync(harness, id)).Count(s => s.State is "running" or "released");
            Assert.True(inFlight >= 2, $"{inFlight} slices in flight at the cancel");
            using var response = await harness.Http.PostAsync($"/api/jobs/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("cancelled", status.GetProperty("state").GetString());

            // Nothing of the job stays in flight in the store: whatever its workers do, no slice holds a place under the cap.
            Assert.Equal(0, status.GetProperty("slices").GetProperty("running").GetInt32() + status.GetProperty("slices").GetProperty("released").GetInt32());
            Assert.All(await SlicesAsync(harness, id), s => Assert.Contains(s.State, (string[])["cancelled", "succeeded"]));

            // The workers stop their steps all the same; what they report then is stale.
            var stats = worker.Services.GetRequiredService<WorkerStats>();
            await Poll.Eventually(() => Task.FromResult(stats.SlicesCancelled >= 1), TimeSpan.FromSeconds(30), "the worker to stop the job's steps");
            var after = await QuietAsync(harness);

            // Each step finishes the page it is on, and may start one more before the control message reaches it.
            Assert.True(after - before <= inFlight * 2 * CallsPerPage, $"{after - before} calls after the cancel for {inFlight} slices in flight");
            var slices = await SlicesAsync(harness, id);
            var expectedPages = slices.Sum(s => (harness.Simulator.ExpectedOrders(s.Shop, Day(s.FirstDay), Day(s.FirstDay).AddDays(1)) + PageSize - 1) / PageSize);
            Assert.True(slices.Sum(s => s.Pages) < expectedPages / 2, $"{slices.Sum(s => s.Pages)} of {expectedPages} pages fetched: the cancel came early, the steps did not run on");
            Assert.InRange(stats.SlicesCancelled, 1, inFlight);

            // Nothing of the job is left anywhere to call the platform: no step was queued after the stop.
            var quiet = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(quiet) < TimeSpan.FromSeconds(1.5))
            {
                Assert.Equal(after, harness.Simulator.Stats.Accepted);
                await Task.Delay(100);
            }

            Assert.Equal("cancelled", (await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString());
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task Cancel_WorkerStartingAfterwards_DropsTheJobsReleasedStepsWithoutACall()
    {
        await using var harness = await ServerHarness.StartAsync();
        var id = await CreateAsync(harness, new DateOnly(2024, 3, 1), 2);
        await Poll.Eventually(async () => (await SlicesAsync(harness, id)).All(s => s.State == "released"), TimeSpan.FromSeconds(30), "every slice to be released");

        using var response = await harness.Http.PostAsync($"/api/jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(await SlicesAsync(harness, id), s => Assert.Equal("cancelled", s.State));

        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            await Poll.Eventually(() => Task.FromResult(worker.Services.GetRequiredService<WorkerStats>().SlicesCancelled == 4), TimeSpan.FromSeconds(60), "the worker to drop every step");

            Assert.Equal(0, harness.Simulator.Stats.Accepted);
            Assert.Equal(4, worker.Services.GetRequiredService<WorkerStats>().SlicesCancelled);
            Assert.All(await SlicesAsync(harness, id), s => Assert.Equal(0, s.Pages));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    internal static async Task<string> CreateAsync(ServerHarness harness, DateOnly from, int days, string releaseEvery = "00:00:00.100", int slicesPerRelease = 8)
    {
        using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new
        {
            platform = "demo",
            shops = ServerHarness.Shops,
            from = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            to = from.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            releaseEvery,
            slicesPerRelease,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }

    internal static async Task<IReadOnlyList<SliceRow>> SlicesAsync(ServerHarness harness, string job)
    {
        var list = await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}/slices");
        return [.. list.GetProperty("slices").EnumerateArray().Select(s => new SliceRow(
            s.GetProperty("slice").GetString()!,
            s.GetProperty("shop").GetString()!,
            DateOnly.Parse(s.GetProperty("firstDay").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            s.GetProperty("state").GetString()!,
            s.GetProperty("attempt").GetInt32(),
            s.GetProperty("pages").GetInt32()))];
    }

    /// <summary>Waits until the simulator has seen no call for a second; the calls it accepted.</summary>
    private static async Task<long> QuietAsync(ServerHarness harness)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        var calls = harness.Simulator.Stats.Accepted;
        var since = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(since) < TimeSpan.FromSeconds(1))
        {
            Assert.True(TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30), "the steps in flight never stopped calling");
            await Task.Delay(100);
            if (harness.Simulator.Stats.Accepted != calls)
            {
                calls = harness.Simulator.Stats.Accepted;
                since = TimeProvider.System.GetTimestamp();
            }
        }

        return calls;
    }

    private static DateTimeOffset Day(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The first two days from March 2024 on which every shop of the harness has at least <paramref name="minOrders"/> orders each day.</summary>
    private static (DateOnly From, int Days) BusyDays(ServerHarness harness, int minOrders)
    {
        for (var from = new DateOnly(2024, 3, 1); from < new DateOnly(2025, 1, 1); from = from.AddDays(1))
        {
            if (Enumerable.Range(0, 2).All(d => ServerHarness.Shops.All(shop => harness.Simulator.ExpectedOrders(shop, Day(from.AddDays(d)), Day(from.AddDays(d + 1))) >= minOrders)))
            {
                return (from, 2);
            }
        }

        throw new InvalidOperationException("the simulator's catalog has no busy days");
    }

    internal sealed record SliceRow(string Id, string Shop, DateOnly FirstDay, string State, int Attempt, int Pages);
}
