using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Platforms;
using Backfill.Simulators;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// R2, the partial storm: for a while the platform refuses half of the calls (429 <c>too_many_request</c>, Retry-After 2 s)
/// while two worker hosts share its budget; a refusal in one pauses both. (<c>ThrottleBreakerTests</c> covers the platform refusing everything.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class ThrottleStormTests(ITestOutputHelper output)
{
    // The platform's partner limit, and each shop's: two shops on two lanes, owned by the two worker hosts, can use 2 × 10.
    private const int Limit = 40;
    private const int PerShop = 10;
    private const int FleetRate = 2 * PerShop;
    private const double Share = 0.5;

    // Within a storm the product's reactions repeat on a short cycle: every refusal pauses the refused process for
    // Retry-After (2 s), three throttle events open the breaker for CoolOff (2 s here). Six seconds cover the first
    // pause, the breaker and at least one more cycle after it; the issue's 30 s storm repeats the same cycles.
    private static readonly TimeSpan Storm = TimeSpan.FromSeconds(6);

    // Longer than MinPause (1 s): the worker must honour the platform's Retry-After, not only its own minimum.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    // A call already sent when the refusal reached its worker is in flight, not a call made after the refusal. The
    // simulator cannot tell them apart by content, only by time, and on a shared 2-core machine the whole test process
    // (three hosts and the simulator) was seen to stall for 300 ms, releasing calls admitted before the refusal arrived.
    private static readonly TimeSpan InFlight = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HalfTheCallsRefused_FleetSlowsNoCallBeforeRetryAfter_NoBan_RecoversNearTheLimit()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync(limit: Limit);
        var rateLimit = $"Platforms:{Harness.Platform}:RateLimit";

        // A shop keeps one lane (the per-shop limit), so the calls of a shop come from one worker host at a time and
        // "no call after a refusal" can be checked per shop at the simulator.
        // Four lanes put the harness's two shops on lanes 3 and 1, on two of the four action partitions.
        harness.Settings[$"{rateLimit}:Lanes"] = "4";
        harness.Settings[$"{rateLimit}:PerShopPermitsPerSecond"] = PerShop.ToString(System.Globalization.CultureInfo.InvariantCulture);
        harness.Settings[$"{rateLimit}:Throttle:CoolOff"] = "00:00:02";
        harness.Settings[$"{rateLimit}:Throttle:RecoveryEvery"] = "00:00:00.300";
        harness.Settings["Worker:ThrottleRetries"] = "20";
        harness.Settings["Worker:Concurrency"] = "1";
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "16";
        using var cluster = harness.ShareCluster();

        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        using var first = harness.Host(BackfillRoles.Worker);
        using var second = harness.Host(BackfillRoles.Worker);
        await scheduler.StartAsync();
        await first.StartAsync();
        await second.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var sink = scheduler.Services.GetRequiredService<RecordStore>();
        var request = harness.Request(new DateOnly(2024, 1, 1), 40);
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(request.Job, CancellationToken.None);
        var log = harness.Simulator.Calls;

        // The fleet at full speed first, then the storm.
        await Poll.Eventually(() => log.Snapshot().Count(c => c.Outcome == "ok") >= 3 * FleetRate, Deadline, "the fleet to run at its limit");
        var stormStart = DateTimeOffset.UtcNow;
        harness.Simulator.Switches.RefuseRetryAfter = RetryAfter;
        harness.Simulator.Switches.RefuseShare = Share;
        await Task.Delay(Storm);
        harness.Simulator.Switches.RefuseShare = 0;
        var stormEnd = DateTimeOffset.UtcNow;

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, Deadline, "the job to finish");
        var slices = store.Slices(job.Id);
        var expected = Harness.Shops.Sum(shop => request.Expected!(shop, slices[0].From, slices[^1].To, Datasets.Orders));
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).Unique == expected, TimeSpan.FromSeconds(30), "the sink to hold every order");
        var callsPerHost = new[] { first, second }.Select(h => h.Services.GetRequiredService<IOrderSources>().Stats(Harness.Platform).Calls).ToList();
        await second.StopAsync();
        await first.StopAsync();
        await scheduler.StopAsync();

        var calls = log.Snapshot().OrderBy(c => c.At).ToList();
        var refusals = calls.Where(c => c.Outcome == "throttled").ToList();
        double Rate(DateTimeOffset from, DateTimeOffset to, Func<SimulatorCall, bool> which) =>
            calls.Count(c => c.At >= from && c.At < to && which(c)) / (to - from).TotalSeconds;
        var before = Rate(stormStart - TimeSpan.FromSeconds(2), stormStart, c => c.Outcome == "ok");
        var during = Rate(stormStart, stormEnd, _ => true);
        var duringAccepted = Rate(stormStart, stormEnd, c => c.Outcome == "ok");
        var lastCall = calls[^1].At;

        // Recovered: the first whole second after the storm in which the platform answered at least 80% of what it answered before.
        var recoveredAt = Enumerable.Range(0, (int)((lastCall - stormEnd).TotalMilliseconds / 100))
            .Select(i => stormEnd + TimeSpan.FromMilliseconds(100 * i))
            .Where(t => t + TimeSpan.FromSeconds(1) <= lastCall)
            .Cast<DateTimeOffset?>()
            .FirstOrDefault(t => Rate(t!.Value, t.Value + TimeSpan.FromSeconds(1), c => c.Outcome == "ok") >= 0.8 * before);

        // After a refusal of shop S with Retry-After r, S's next call comes r later at the earliest (docs/rate-budget.md:
        // the refused worker makes no call for max(Retry-After, MinPause)); calls within InFlight were already sent.
        var early = refusals.SelectMany(r => calls.Where(c => c.Shop == r.Shop && c.At > r.At + InFlight && c.At < r.At + r.RetryAfter!.Value)
            .Select(c => $"{c.Shop} at {c.At:HH:mm:ss.fff}, {(c.At - r.At).TotalMilliseconds:F0} ms after the refusal at {r.At:HH:mm:ss.fff}")).ToList();
        var inFlight = refusals.Sum(r => calls.Count(c => c.Shop == r.Shop && c.At > r.At && c.At <= r.At + InFlight));

        // The whole fleet, any shop: the refused worker tells the others on the control topic (one round trip, well within
        // InFlight), and no worker calls the platform before the refusal's Retry-After has passed.
        var earlyInFleet = refusals.SelectMany(r => calls.Where(c => c.At > r.At + InFlight && c.At < r.At + r.RetryAfter!.Value)
            .Select(c => $"{c.Shop} at {c.At:HH:mm:ss.fff}, {(c.At - r.At).TotalMilliseconds:F0} ms after the refusal of {r.Shop} at {r.At:HH:mm:ss.fff}")).ToList();

        // Calls per second, answered and refused, from the first call: the storm's shape for the record.
        var origin = calls[0].At;
        output.WriteLine("second: answered/refused " + string.Join(" ", calls.GroupBy(c => (int)(c.At - origin).TotalSeconds)
            .Select(g => $"{g.Key}:{g.Count(c => c.Outcome == "ok")}/{g.Count(c => c.Outcome == "throttled")}")));
        output.WriteLine($"storm from {(stormStart - origin).TotalSeconds:F1} s to {(stormEnd - origin).TotalSeconds:F1} s");
        ScenarioFigures.Record(output, "R2", new
        {
            scenario = $"throttle storm: {Share:P0} of calls refused (429, Retry-After {RetryAfter.TotalSeconds} s) for {Storm.TotalSeconds} s, 2 worker hosts, 2 shops at {PerShop}/s each",
            slices = slices.Count,
            slicesSucceeded = slices.Count(s => s.State == SliceState.Succeeded),
            ordersExpected = expected,
            ordersUnique = sink.Totals(Datasets.Orders).Unique,
            duplicatesAbsorbed = sink.Totals(Datasets.Orders).DuplicatesAbsorbed,
            calls = calls.Count,
            callsPerWorkerHost = callsPerHost,
            callsRefusedByStorm = refusals.Count,
            callsRefusedByLimit = harness.Simulator.Stats.Refused,
            peakCallsPerSecond = harness.Simulator.Stats.PeakCallsPerSecond,
            answeredPerSecondBeforeStorm = Math.Round(before, 1),
            sentPerSecondDuringStorm = Math.Round(during, 1),
            answeredPerSecondDuringStorm = Math.Round(duringAccepted, 1),
            callsBeforeRetryAfter = early.Count,
            callsOfAnyShopBeforeRetryAfter = earlyInFleet.Count,
            callsInFlightAtARefusal = inFlight,
            inFlightAllowanceMs = InFlight.TotalMilliseconds,
            shortestGapAfterARefusalBeyondInFlightMs = refusals
                .Select(r => calls.Where(c => c.Shop == r.Shop && c.At > r.At + InFlight).Select(c => (c.At - r.At).TotalMilliseconds).DefaultIfEmpty(double.NaN).Min())
                .Where(g => !double.IsNaN(g)).Select(g => Math.Round(g)).DefaultIfEmpty(double.NaN).Min(),
            secondsToRecover = recoveredAt is { } at ? Math.Round((at - stormEnd).TotalSeconds, 1) : (double?)null,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });

        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);
        Assert.Equal(expected, sink.Totals(Datasets.Orders).Unique);
        Assert.NotEmpty(refusals);
        Assert.True(early.Count == 0, "calls before the back-off allowed: " + string.Join("; ", early.Take(10)));
        Assert.True(earlyInFleet.Count == 0, "calls in the fleet before a refusal's Retry-After: " + string.Join("; ", earlyInFleet.Take(10)));

        // No ban: the platform's own limit never refused a call and never saw more than it allows; the fleet sent less
        // during the storm than half its limit (what a client that ignores refusals would keep sending is the whole limit).
        Assert.Equal(0, harness.Simulator.Stats.Refused);
        Assert.True(harness.Simulator.Stats.PeakCallsPerSecond <= FleetRate);
        Assert.True(during <= before / 2, $"the fleet sent {during:F1} calls/s during the storm, against {before:F1} answered/s before it");
        Assert.True(recoveredAt is not null, "the fleet never came back to 80% of its rate before the storm");

    }
}
