using System.Diagnostics;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Simulators;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// The platform misbehaves: bursts of 5xx, calls that outlast the timeout, truncated and non-JSON bodies, an expired
/// access token. Transient faults are retried a bounded number of times with back-off and the job completes; an expired
/// token in a fleet that refreshes no tokens (no <c>Backfill:SecretKey</c>) fails its slices at once with the platform's
/// error, what to set, and no secret.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PlatformFaultTests(ITestOutputHelper output)
{
    private const int MaxAttempts = 4;
    private const int Burst = MaxAttempts - 1;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(400);

    // .NET's timers on Linux run on the coarse monotonic clock, one kernel tick (up to 4 ms) at a time: a delay may end
    // up to that much before the simulator's precise clock says it should.
    private static readonly TimeSpan TimerGrain = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task TransientBursts_RetriedBoundedWithBackOff_EveryPageRecovers_JobCompletesExactly()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync();
        Configure(harness);

        // Slices are released one per 200 ms, so the job is still running when the last burst comes. One consumer: no
        // rebalance hands a step over while the bursts run, so every repeat of a page is a retry.
        harness.Settings["Backfill:SlicesPerRelease"] = "1";
        harness.Settings["Worker:Concurrency"] = "1";
        harness.Simulator.Switches.StallFor = TimeSpan.FromSeconds(3);
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);
        var running = InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 1, 1), 20), null, cts.Token);
        var log = harness.Simulator.Calls;
        await Poll.Eventually(() => log.Snapshot().Any(c => c.Outcome == "ok"), Limit, "the job's first call");

        // One burst at a time, the next only when every page hit by the last one has recovered: a page meets at most
        // one burst, so at most Burst failures, and MaxAttempts attempts always reach a good answer.
        var recoveries = new Dictionary<string, double>();
        foreach (var fault in Enum.GetValues<SimulatorFault>())
        {
            var before = log.Snapshot().Count;
            harness.Simulator.Switches.InjectBurst(fault, Burst);
            await Poll.Eventually(() => harness.Simulator.Switches.PendingFaults == 0, Limit, $"the {fault} burst to be answered");
            List<SimulatorCall> hit = [];
            await Poll.Eventually(
                () =>
                {
                    var calls = log.Snapshot().Skip(before).ToList();
                    hit = [.. calls.Where(c => c.Outcome == fault.ToString())];

                    // A call is logged once answered: a stalled one only when its client has given up.
                    return hit.Count == Burst && hit.All(h => calls.Any(c => Key(c) == Key(h) && c.At > h.At && c.Outcome == "ok"));
                },
                Limit,
                $"every page hit by the {fault} burst to recover");
            var calls = log.Snapshot().Skip(before).ToList();
            var recovered = hit.Max(h => calls.First(c => Key(c) == Key(h) && c.At > h.At && c.Outcome == "ok").AnsweredAt);
            recoveries[fault.ToString()] = Math.Round((recovered - hit.Min(h => h.At)).TotalMilliseconds);
        }

        var summary = await running;
        var all = log.Snapshot();
        var pages = all.GroupBy(Key).ToList();
        var gaps = pages.SelectMany(Gaps).ToList();
        var repeatsAfterOk = pages.Where(p => p.OrderBy(c => c.At).SkipLast(1).Any(c => c.Outcome == "ok")).ToList();
        foreach (var p in repeatsAfterOk)
        {
            // Not a retry: the page was asked again after a good answer (a step redone); the sink absorbs its orders.
            output.WriteLine($"asked again after a good answer: {p.Key[..Math.Min(p.Key.Length, 80)]}: {string.Join(", ", p.Select(c => $"{c.At:HH:mm:ss.fff} {c.Outcome}"))}");
        }

        Assert.True(summary.Succeeded, summary.ToJson());
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Empty(summary.Failures);
        Assert.Equal(Burst * Enum.GetValues<SimulatorFault>().Length, all.Count(c => Enum.TryParse<SimulatorFault>(c.Outcome, out _)));
        Assert.All(pages.Except(repeatsAfterOk), p => Assert.True(p.Count() <= MaxAttempts, $"{p.Key[..Math.Min(p.Key.Length, 80)]} was asked {p.Count()} times, more than {MaxAttempts}"));
        Assert.All(pages, p => Assert.Equal("ok", p.Last().Outcome));
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.True(g.Slack >= -TimerGrain, $"retry {g.Retry} of {g.Page[..Math.Min(g.Page.Length, 80)]} came {g.Slack.TotalMilliseconds:F0} ms before its back-off allowed"));
        Assert.Equal(0, harness.Simulator.Stats.Refused);

        ScenarioFigures.Record(output, "platform", new
        {
            scenario = "transient bursts",
            injected = $"{Burst} × each of {string.Join(", ", Enum.GetNames<SimulatorFault>())}",
            retry = new { maxAttempts = MaxAttempts, baseDelayMs = BaseDelay.TotalMilliseconds, timeoutMs = Timeout.TotalMilliseconds },
            slices = summary.Slices.Total,
            slicesSucceeded = summary.Slices.Succeeded,
            slicesFailed = summary.Slices.Failed,
            calls = all.Count,
            faultyAnswers = all.Count(c => Enum.TryParse<SimulatorFault>(c.Outcome, out _)),
            retries = pages.Sum(p => p.OrderBy(c => c.At).SkipLast(1).Count(c => c.Outcome != "ok")),
            pagesAskedAgainAfterAGoodAnswer = repeatsAfterOk.Count,
            maxAttemptsOfAPage = pages.Max(p => p.Count()),
            minRetryGapOverBackOffMs = Math.Round(gaps.Min(g => g.Slack.TotalMilliseconds)),
            recoverMs = recoveries,
            ordersExpected = summary.OrdersExpected,
            ordersUnique = summary.OrdersUnique,
            duplicatesAbsorbed = summary.DuplicatesAbsorbed,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }

    [Fact]
    public async Task ExpiredAccessToken_FailsTheShopsSlicesAtOnce_WithThePlatformsError_NoRetry_NoSecret()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync();
        Configure(harness);

        // The 403 is what must not be asked again. The transient test's 400 ms timeout would, on a loaded machine, give
        // up on a slow first answer and retry it as a timeout, which is right but not what this test counts.
        harness.Settings[$"Platforms:{Harness.Platform}:Timeout"] = TimeSpan.FromSeconds(10).ToString();
        const string Expired = "20002";
        harness.Simulator.Switches.ExpiredTokenShops.Add(Expired);
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 1), 3), null, cts.Token);
        var calls = harness.Simulator.Calls.Snapshot().Where(c => c.Shop == Expired).ToList();

        Assert.Equal(JobState.Failed, summary.State);
        Assert.Equal(3, summary.Slices.Failed);
        Assert.Equal(3, summary.Slices.Succeeded);
        Assert.All(summary.Failures, f =>
        {
            Assert.Contains($"/{Expired}/", f.Slice, StringComparison.Ordinal);
            Assert.Contains("invalid_access_token", f.Error, StringComparison.Ordinal);
            Assert.Contains("expired", f.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.Token(Expired), f.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.PartnerKey, f.Error, StringComparison.Ordinal);
        });

        // Fail fast: one call per slice, never retried.
        Assert.Equal(summary.Slices.Failed, calls.Count);
        Assert.All(calls, c => Assert.Equal(403, c.Status));
        Assert.Equal(calls.Count, calls.Select(Key).Distinct().Count());
        Assert.DoesNotContain(Harness.Token(Expired), summary.ToJson(), StringComparison.Ordinal);

        ScenarioFigures.Record(output, "platform", new
        {
            scenario = "expired access token",
            slices = summary.Slices.Total,
            slicesFailed = summary.Slices.Failed,
            slicesSucceeded = summary.Slices.Succeeded,
            callsForExpiredShop = calls.Count,
            error = summary.Failures[0].Error,
            ordersExpectedOfGoodShop = summary.OrdersExpected - harness.Simulator.ExpectedOrders(Expired, new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero)),
            ordersUnique = summary.OrdersUnique,
            deadLettered = summary.DeadLettered,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }

    private static void Configure(Harness harness)
    {
        var platform = $"Platforms:{Harness.Platform}";
        harness.Settings[$"{platform}:Retry:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        harness.Settings[$"{platform}:Retry:BaseDelay"] = BaseDelay.ToString();
        harness.Settings[$"{platform}:Retry:MaxDelay"] = MaxDelay.ToString();
        harness.Settings[$"{platform}:Timeout"] = Timeout.ToString();
    }

    /// <summary>The same page asked again: same shop, same list range and cursor, or the same order numbers.</summary>
    private static string Key(SimulatorCall call) => $"{call.Path}|{call.Shop}|{call.Request}";

    /// <summary>
    /// For each retry of a page, how much longer than its back-off it waited: from the failed answer (from the start
    /// of a call that outlasted the timeout, plus the timeout) to the retry's arrival, minus BaseDelay·2ⁿ.
    /// </summary>
    private static IEnumerable<(string Page, int Retry, TimeSpan Slack)> Gaps(IGrouping<string, SimulatorCall> page)
    {
        var calls = page.OrderBy(c => c.At).ToList();
        var failures = 0;
        for (var i = 1; i < calls.Count; i++)
        {
            var failed = calls[i - 1];
            failures = failed.Outcome == "ok" ? 0 : failures + 1;
            if (failures == 0)
            {
                continue;
            }

            var floor = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, BaseDelay.Ticks << (failures - 1)));

            // The client's clock for a stalled call starts a little before the simulator sees it: 50 ms allowed for that.
            var over = failed.Outcome == nameof(SimulatorFault.Stall)
                ? failed.At + Timeout - TimeSpan.FromMilliseconds(50)
                : failed.AnsweredAt;
            yield return (page.Key, failures, calls[i].At - over - floor);
        }
    }
}
