using System.Diagnostics;
using Backfill.Server.Jobs;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// crash-1: <c>kill -9</c> of a worker process in the middle of its slices, with the product as separate processes
/// (dev-kafka, platform-sim, serve, two workers). The survivor takes the dead worker's lanes over when the group's
/// session times out, redoes at most the step each of its slices was in, and the idempotent sink absorbs the repeats.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WorkerKillTests(ITestOutputHelper output)
{
    private const int PageSize = 20;
    private const int PagesPerStep = 1;
    private const double Rate = 40;
    private static readonly TimeSpan Cadence = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task KillNineOfAWorkerMidSlice_EverySliceSucceeds_EveryOrderOnce()
    {
        var job = await CrashJob.ForAsync(shops: 4, new DateOnly(2024, 1, 1), days: 6);
        var fleet = await ProcessFleet.StartAsync("crash1", job.Shops, Rate, new Dictionary<string, string>
        {
            [$"Platforms:{ProcessFleet.Platform}:PageSize"] = $"{PageSize}",
            ["Worker:PagesPerStep"] = $"{PagesPerStep}",
        });
        var passed = false;
        try
        {
            // Started side by side: each dotnet start-up takes seconds on a busy machine.
            var serving = fleet.ServeAsync("serve", "serve");
            var victimStarting = fleet.WorkerAsync("worker-1");
            var survivorStarting = fleet.WorkerAsync("worker-2");
            var (serve, api) = await serving;
            var victim = await victimStarting;
            var survivor = await survivorStarting;
            var id = await fleet.CreateJobAsync(api, job.Body(Cadence, slicesPerRelease: 4));

            // Mid-slice: slices have started paging and several are still in flight on the lanes.
            IReadOnlyList<SliceView> atKill = [];
            await fleet.Eventually(async () =>
            {
                var slices = await fleet.SlicesAsync(api, id);
                atKill = [.. slices.Where(s => s.State is "running" or "released")];
                return slices.Count(s => s.State == "succeeded") >= 2 && atKill.Count(s => s.Pages > 0) >= 4;
            }, TimeSpan.FromSeconds(60), "slices in flight mid-way");
            victim.Kill();
            var killed = Stopwatch.StartNew();
            Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "worker-1 survived SIGKILL");

            // Every slice in flight at the kill moves again (a page, a new state): the dead worker's lanes are owned again.
            var before = atKill.ToDictionary(s => s.Slice, Progress);
            var moved = new Dictionary<string, TimeSpan>();
            await fleet.Eventually(async () =>
            {
                foreach (var slice in await fleet.SlicesAsync(api, id))
                {
                    var name = slice.Slice;
                    if (before.TryGetValue(name, out var then) && then != Progress(slice))
                    {
                        moved.TryAdd(name, killed.Elapsed);
                    }
                }

                return moved.Count == before.Count;
            }, TimeSpan.FromSeconds(60), "every slice in flight at the kill to move again");
            var recovered = moved.Values.Max();

            JobStatus status = null!;
            await fleet.Eventually(async () => (status = await fleet.JobAsync(api, id)).IsFinished(), TimeSpan.FromSeconds(90), $"job {id} to finish");
            Assert.Equal("succeeded", status.State);
            Assert.Equal(job.Slices, status.Slices.Succeeded);
            Assert.False(survivor.HasExited, $"worker-2 exited: {survivor.Describe()}");

            await fleet.DrainSinkAsync(TimeSpan.FromSeconds(30));
            await serve.StopAsync(TimeSpan.FromSeconds(20));
            await survivor.StopAsync(TimeSpan.FromSeconds(20));
            var platform = await fleet.SimulatorStatsAsync();
            var (unique, duplicates) = job.Sink(fleet.DatabasePath());

            Assert.Equal(job.ExpectedOrders, unique);

            // At-least-once: a slice of the dead worker redoes at most the step it was in (its offset was not committed).
            var redoBound = before.Count * PagesPerStep * PageSize;
            Assert.InRange(duplicates, 0, redoBound);
            ScenarioFigures.Record(output, "crash-1", new
            {
                processes = "dev-kafka, platform-sim, serve, 2 workers; worker-1 SIGKILLed",
                slices = job.Slices,
                succeeded = status.Slices.Succeeded,
                inFlightAtKill = before.Count,
                ordersExpected = job.ExpectedOrders,
                ordersUnique = unique,
                duplicatesAbsorbed = duplicates,
                duplicatesBound = redoBound,
                callsAccepted = platform.Accepted,
                callsRefused = platform.Refused,
                peakCallsPerSecond = platform.PeakCallsPerSecond,
                limitPerSecond = Rate,
                secondsFromKillToLanesMoving = Math.Round(recovered.TotalSeconds, 1),
            });
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

    /// <summary>What changes while a slice is worked on.</summary>
    private static (string?, int, int) Progress(SliceView slice) =>
        (slice.State, slice.Attempt, slice.Pages);
}
