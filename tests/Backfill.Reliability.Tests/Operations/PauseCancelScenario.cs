using System.Diagnostics;
using System.Net;
using Backfill.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// R4: pause and cancel a job while it runs on the real clock, workers calling. After a pause returns nothing of the job
/// is released, though slices in flight finish and make room; after a cancel every slice in flight stops at its next
/// page. Measured: releases after the pause, calls per in-flight slice after the cancel, time until all are cancelled.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PauseCancelScenario(ITestOutputHelper output)
{
    private const int PageSize = 5;

    /// <summary>A page is one list call and, with at most 50 orders, one detail call.</summary>
    private const int CallsPerPage = 2;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private static readonly string[] Shops = ["30001", "30002", "30003", "30004"];

    /// <summary>How long the simulator must see no call for the steps to count as stopped.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task PauseThenCancel_DuringARun_NoReleaseAfterPause_InFlightSlicesStopAtTheNextPage()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:GroupProtocol"] = "consumer",
            ["Platforms:demo:PageSize"] = $"{PageSize}",
            // One step runs a whole slice: only the check before each page can stop it early.
            ["Worker:PagesPerStep"] = "100",
            // Steps of 100 pages may run long: a slice is released again only after nothing is heard of it for longer.
            ["Backfill:StuckAfter"] = "02:00:00",
            // One slice in flight per shop, so the simulator's per-shop count is the slice's.
            ["Backfill:MaxInFlightPerPlatform"] = $"{Shops.Length}",
        };
        foreach (var shop in Shops)
        {
            settings[$"Platforms:demo:Shops:{shop}:AccessToken"] = ServerHarness.Token(shop);
        }

        await using var harness = await ServerHarness.StartAsync(settings: settings, simulator: o => o.AccessTokens = Shops.ToDictionary(s => s, ServerHarness.Token));
        harness.Simulator.Switches.Latency = TimeSpan.FromMilliseconds(60);
        var board = harness.App.Services.GetRequiredService<PlatformBoard>();
        var from = JobsApi.BusyDays(harness, Shops, days: 4, minOrders: 40);
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var id = await JobsApi.CreateAsync(harness, Shops, from, days: 4, releaseEvery: $"{Period:c}", slicesPerRelease: 1);
            await Poll.Eventually(async () => (await harness.Http.SlicesAsync(id)).Count(s => s.State == "running") >= 2, TimeSpan.FromSeconds(40), "slices to run");

            // Pause: from its return, no release, while slices in flight finish (so the in-flight cap leaves room).
            using (var paused = await harness.Http.PostAsync($"/api/jobs/{id}/pause", null))
            {
                Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
            }

            var releasesAtPause = board.Totals(ServerHarness.Platform).Releases;
            var pausedAt = Stopwatch.StartNew();
            var atPause = await harness.Http.SlicesAsync(id);
            var pendingAtPause = atPause.Count(s => s.State == "pending");
            var inFlightAtPause = atPause.Where(s => s.State is "released" or "running").Select(s => s.Slice).ToHashSet();
            await Poll.Eventually(
                async () => pausedAt.Elapsed > 3 * Period && (await harness.Http.SlicesAsync(id)).Any(s => inFlightAtPause.Contains(s.Slice) && s.State == "succeeded"),
                TimeSpan.FromSeconds(30),
                "a slice in flight at the pause to finish");
            var afterPause = await harness.Http.SlicesAsync(id);
            var releasesAfterPause = board.Totals(ServerHarness.Platform).Releases - releasesAtPause;
            var pausedFor = pausedAt.Elapsed;
            Assert.Equal(0, releasesAfterPause);
            Assert.Equal(pendingAtPause, afterPause.Count(s => s.State == "pending"));

            // Resume, let the fleet fill again, then cancel with every slot busy.
            using (var resumed = await harness.Http.PostAsync($"/api/jobs/{id}/resume", null))
            {
                Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            }

            await Poll.Eventually(
                async () => (await harness.Http.SlicesAsync(id)).Count(s => s.State == "running") >= 3 && Shops.All(s => harness.Simulator.Stats.AcceptedFor(s) > 0),
                TimeSpan.FromSeconds(30),
                "slices to run again after the resume");
            var inFlight = (await harness.Http.SlicesAsync(id)).Where(s => s.State is "released" or "running").ToList();
            var callsAtCancel = Shops.ToDictionary(s => s, harness.Simulator.Stats.AcceptedFor);
            var cancelledAt = Stopwatch.StartNew();
            using (var cancelled = await harness.Http.PostAsync($"/api/jobs/{id}/cancel", null))
            {
                Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            }

            // The store has no slice of the job in flight once the cancel returns; the workers stop theirs before their next page.
            var atCancel = await harness.Http.SlicesAsync(id);
            Assert.DoesNotContain(atCancel, s => s.State is "pending" or "released" or "running");
            await QuietAsync(harness);
            var stoppedAfter = cancelledAt.Elapsed - Quiet;
            // A shop may have two slices in flight (the one that ran through the pause and the next day's): the cap rises
            // above one slice a shop once the workers report their latency.
            var slicesOfShop = inFlight.GroupBy(s => s.Shop).ToDictionary(g => g.Key, g => g.Count());
            var callsAfterCancel = slicesOfShop.ToDictionary(s => s.Key, s => harness.Simulator.Stats.AcceptedFor(s.Key) - callsAtCancel[s.Key]);
            var final = await harness.Http.SlicesAsync(id);

            // Each slice finishes the page it is on and may start up to two more before the control message reaches it: a
            // page takes about 150 ms here, the control reader's fetch waits up to 100 ms on an idle topic, and the counts
            // were read just before the cancel was sent. A slice has at least 8 pages: one not stopped would make 16 calls.
            Assert.All(callsAfterCancel, c => Assert.True(c.Value <= slicesOfShop[c.Key] * 3 * CallsPerPage, $"shop {c.Key}: {c.Value} calls after the cancel by {slicesOfShop[c.Key]} slice(s)"));
            Assert.True(inFlight.Count >= 3, $"{inFlight.Count} slices in flight at the cancel");
            Assert.All(inFlight, s => Assert.Contains(final.Single(f => f.Slice == s.Slice).State, (string[])["cancelled", "succeeded"]));
            Assert.DoesNotContain(final, s => s.State is "pending" or "released" or "running");

            ScenarioFigures.Record(output, "R4", new
            {
                slices = final.Count,
                releaseEveryMs = Period.TotalMilliseconds,
                releasesAfterPause,
                pausedForMs = Math.Round(pausedFor.TotalMilliseconds),
                periodsPaused = Math.Round(pausedFor / Period, 1),
                inFlightAtPause = inFlightAtPause.Count,
                inFlightFinishedWhilePaused = afterPause.Count(s => inFlightAtPause.Contains(s.Slice) && s.State == "succeeded"),
                inFlightAtCancel = inFlight.Count,
                callsPerShopAfterCancel = callsAfterCancel.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value).ToArray(),
                inFlightSlicesPerShop = slicesOfShop.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value).ToArray(),
                callsPerPage = CallsPerPage,
                inFlightCancelledInStoreAtOnce = inFlight.Count(s => atCancel.Single(a => a.Slice == s.Slice).State == "cancelled"),
                cancelToLastCallMs = Math.Round(stoppedAfter.TotalMilliseconds),
                succeeded = final.Count(s => s.State == "succeeded"),
                cancelled = final.Count(s => s.State == "cancelled"),
            });
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    /// <summary>Waits until the simulator has seen no call for <see cref="Quiet"/>.</summary>
    private static async Task QuietAsync(ServerHarness harness)
    {
        var started = Stopwatch.StartNew();
        var calls = harness.Simulator.Stats.Accepted;
        var since = Stopwatch.StartNew();
        while (since.Elapsed < Quiet)
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), "the steps in flight never stopped calling");
            await Task.Delay(50);
            if (harness.Simulator.Stats.Accepted != calls)
            {
                calls = harness.Simulator.Stats.Accepted;
                since.Restart();
            }
        }
    }
}
