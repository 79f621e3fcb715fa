using System.Diagnostics;
using System.Globalization;
using Backfill.Server.Jobs;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// crash-3: a worker process frozen whole (<c>kill -STOP</c>, as a paused VM or a stalled host) for longer than its group
/// session, then woken (<c>kill -CONT</c>), with the product as separate processes (dev-kafka, platform-sim, serve, three
/// workers) at a low fleet limit. While it is frozen the group gives its lanes to the others; when it wakes its timers
/// are long overdue and its lane windows empty, yet it must not call for lanes it no longer owns: the platform never sees
/// more than the limit in any sliding second and refuses nothing (docs/rate-budget.md, "Frozen worker").
/// </summary>
[Trait("Category", "Integration")]
public sealed class FrozenWorkerTests(ITestOutputHelper output)
{
    // Six lanes of one call per second, one action partition each, so every worker owns lanes of the one job.
    private const int Rate = 6;
    private const int PageSize = 50;
    private static readonly TimeSpan Cadence = TimeSpan.FromMilliseconds(200);

    // dev-kafka's KIP-848 session is 3 s: well past it, the frozen worker's lanes are owned and called by the others
    // for several seconds before it wakes. The length of the freeze is the scenario itself, not a wait for a condition.
    private static readonly TimeSpan Frozen = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task SigstopOfAWorkerPastItsSession_ThenSigcont_NoCallOverTheLimit_NoneRefused_EveryOrderOnce()
    {
        var clock = Stopwatch.StartNew();
        var job = await CrashJob.ForAsync(shops: 6, new DateOnly(2024, 3, 1), days: 5);
        var fleet = await ProcessFleet.StartAsync("crash3", job.Shops, Rate, new Dictionary<string, string>
        {
            [$"Platforms:{ProcessFleet.Platform}:PageSize"] = $"{PageSize}",
            ["Kafka:Partitions:Actions"] = $"{Rate}",
            ["Worker:Concurrency"] = "1",
        });
        var passed = false;
        try
        {
            var serving = fleet.ServeAsync("serve", "serve");
            var starting = new[] { fleet.WorkerAsync("worker-1"), fleet.WorkerAsync("worker-2"), fleet.WorkerAsync("worker-3") };
            var (serve, api) = await serving;
            var workers = await Task.WhenAll(starting);
            var frozen = workers[0];
            var id = await fleet.CreateJobAsync(api, job.Body(Cadence, slicesPerRelease: Rate));

            // In full swing: every lane has slices in flight and the fleet calls at its limit.
            await fleet.Eventually(async () => (await fleet.SimulatorStatsAsync()).Accepted >= 5 * Rate, TimeSpan.FromSeconds(60), "the fleet to call at its limit");
            var beforeFreeze = await fleet.SimulatorStatsAsync();
            frozen.Freeze();
            await Task.Delay(Frozen);
            var atWake = await fleet.SimulatorStatsAsync();
            frozen.Wake();
            var woken = Stopwatch.StartNew();

            JobStatus status = null!;
            await fleet.Eventually(async () => (status = await fleet.JobAsync(api, id)).IsFinished(), TimeSpan.FromSeconds(90), $"job {id} to finish");
            var jobSeconds = woken.Elapsed;
            await fleet.DrainSinkAsync(TimeSpan.FromSeconds(30));
            await serve.StopAsync(TimeSpan.FromSeconds(20));
            await Task.WhenAll(workers.Select(w => w.StopAsync(TimeSpan.FromSeconds(20))));
            var platform = await fleet.SimulatorStatsAsync();
            var (unique, duplicates) = job.Sink(fleet.DatabasePath());
            var stalls = File.ReadLines(frozen.StderrLog).Where(l => l.Contains("did not poll for", StringComparison.Ordinal)).ToList();
            stalls.ForEach(output.WriteLine);

            ScenarioFigures.Record(output, "crash-3", new
            {
                processes = "dev-kafka, platform-sim, serve, 3 workers; worker-1 SIGSTOPped, then SIGCONTed",
                frozenSeconds = Frozen.TotalSeconds,
                limitPerSecond = Rate,
                slices = job.Slices,
                succeeded = status.Slices.Succeeded,
                ordersExpected = job.ExpectedOrders,
                ordersUnique = unique,
                duplicatesAbsorbed = duplicates,
                callsAcceptedBeforeFreeze = beforeFreeze.Accepted,
                callsAcceptedWhileFrozen = atWake.Accepted - beforeFreeze.Accepted,
                callsAccepted = platform.Accepted,
                callsRefused = platform.Refused,
                peakArrivedPerSecond = platform.PeakArrivalsPerSecond,
                peakAcceptedPerSecond = platform.PeakCallsPerSecond,
                stallsLoggedByTheFrozenWorker = stalls.Count,
                secondsFromWakeToJobEnd = Math.Round(jobSeconds.TotalSeconds, 1),
                seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            });

            Assert.Equal("succeeded", status.State);
            Assert.Equal(job.Slices, status.Slices.Succeeded);
            Assert.Equal(job.ExpectedOrders, unique);
            Assert.True(
                platform.PeakArrivalsPerSecond <= Rate,
                string.Create(CultureInfo.InvariantCulture, $"the platform saw {platform.PeakArrivalsPerSecond} calls within one sliding second, over its limit of {Rate}"));
            Assert.Equal(0, platform.Refused);
            passed = true;
        }
        finally
        {
            await fleet.DisposeAsync();
            if (passed)
            {
                fleet.DeleteFolder();
            }
            else
            {
                output.WriteLine($"logs kept in {fleet.Children.LogDirectory}");
            }
        }
    }
}
