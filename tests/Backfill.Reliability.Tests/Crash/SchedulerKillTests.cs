using System.Diagnostics;
using Backfill.Core.Jobs;
using Backfill.Server.Jobs;
using Backfill.Storage;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// crash-2: <c>kill -9</c> of the scheduler (<c>serve</c>) in the middle of a job's releases, and a new <c>serve</c> on the
/// same data folder. LiteDB is the durable record: the file opens whole after the kill, the new process re-arms the
/// same job, every slice is released exactly once and succeeds, and the releases keep to one batch per period
/// across the restart (no catch-up burst for the time it was down).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SchedulerKillTests(ITestOutputHelper output)
{
    private const int SlicesPerRelease = 2;
    private const double Rate = 40;
    private static readonly TimeSpan Cadence = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task KillNineOfTheSchedulerMidRun_RestartResumesFromLiteDb_NoSliceLost_NoBurst()
    {
        var job = await CrashJob.ForAsync(shops: 4, new DateOnly(2024, 2, 1), days: 6);
        var fleet = await ProcessFleet.StartAsync("crash2", job.Shops, Rate, new Dictionary<string, string>
        {
            [$"Platforms:{ProcessFleet.Platform}:PageSize"] = "50",
            ["Worker:PagesPerStep"] = "1",
        });
        var passed = false;
        try
        {
            var serving = fleet.ServeAsync("serve", "serve");
            var workers = new[] { fleet.WorkerAsync("worker-1"), fleet.WorkerAsync("worker-2") };
            var (serve, api) = await serving;
            var pool = await Task.WhenAll(workers);
            var id = await fleet.CreateJobAsync(api, job.Body(Cadence, SlicesPerRelease));

            // Mid-run: a third of the slices released, some of them still in flight.
            JobStatus atKill = null!;
            await fleet.Eventually(async () =>
            {
                atKill = await fleet.JobAsync(api, id);
                return atKill.Slices.Pending <= job.Slices * 2 / 3;
            }, TimeSpan.FromSeconds(60), "a third of the slices released");
            serve.Kill();
            var killed = Stopwatch.StartNew();
            Assert.True(await serve.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "serve survived SIGKILL");
            var killedAt = DateTimeOffset.UtcNow;

            // The file a SIGKILL left behind opens, and holds the job and all its slices.
            SliceCounts afterKill;
            using (var db = new BackfillDatabase(fleet.DatabasePath()))
            {
                var store = new JobStore(db);
                Assert.Equal(JobState.Running, store.Job(id)?.State);
                afterKill = store.Counts(id);
                Assert.Equal(job.Slices, afterKill.Total);
            }

            var (restarted, api2) = await fleet.ServeAsync("serve-2", "serve");
            var down = killed.Elapsed;

            JobStatus status = null!;
            await fleet.Eventually(async () => (status = await fleet.JobAsync(api2, id)).IsFinished(), TimeSpan.FromSeconds(90), $"job {id} to finish after the restart");
            Assert.Equal("succeeded", status.State);
            Assert.Equal(job.Slices, status.Slices.Succeeded);

            await fleet.DrainSinkAsync(TimeSpan.FromSeconds(30));
            await restarted.StopAsync(TimeSpan.FromSeconds(20));
            await Task.WhenAll(pool.Select(w => w.StopAsync(TimeSpan.FromSeconds(20))));
            var (unique, duplicates) = job.Sink(fleet.DatabasePath());
            Assert.Equal(job.ExpectedOrders, unique);

            // Every release the two processes made, from the audit trail: one batch per tick, all stamped with its time.
            List<(DateTimeOffset At, int Slices)> batches;
            int[] attempts;
            using (var db = new BackfillDatabase(fleet.DatabasePath()))
            {
                var store = new JobStore(db);
                var slices = store.Slices(id);
                attempts = [.. slices.Select(s => s.Attempt)];
                batches = [.. slices
                    .SelectMany(s => store.History(s.Id))
                    .Where(t => t.To == nameof(SliceState.Released))
                    .GroupBy(t => t.At)
                    .Select(g => (g.Key, g.Count()))
                    .OrderBy(b => b.Key)];
            }

            // No slice lost, none sent twice: each was released once and succeeded on that attempt.
            Assert.All(attempts, a => Assert.Equal(1, a));
            Assert.Equal(job.Slices, batches.Sum(b => b.Slices));
            var before = batches.Where(b => b.At < killedAt).ToList();
            var after = batches.Where(b => b.At > killedAt).ToList();
            Assert.NotEmpty(after);

            // No burst: at most one period's batch (SlicesPerRelease of each shop) in any stretch shorter than a period,
            // also right after the restart; a batch the cap cut may go out over several rounds of its period.
            var batch = SlicesPerRelease * job.Shops.Count;
            var period = Cadence * Core.Release.ReleasePolicy.DueFraction;
            var densest = batches.Select(b => batches.Where(o => o.At >= b.At && o.At - b.At < period).Sum(o => o.Slices)).ToList();
            Assert.All(densest, n => Assert.InRange(n, 1, batch));
            var gaps = batches.Zip(batches.Skip(1), (a, b) => b.At - a.At).ToList();

            ScenarioFigures.Record(output, "crash-2", new
            {
                processes = "dev-kafka, platform-sim, serve, 2 workers; serve SIGKILLed, restarted on its data folder",
                slices = job.Slices,
                succeeded = status.Slices.Succeeded,
                atKill = new { pending = afterKill.Pending, released = afterKill.Released, running = afterKill.Running, succeeded = afterKill.Succeeded },
                liteDbAfterKill = $"opens; job running; {afterKill.Total} slices",
                secondsDown = Math.Round(down.TotalSeconds, 1),
                sameJob = id,
                releasedOnce = attempts.Count(a => a == 1),
                cadenceMs = Cadence.TotalMilliseconds,
                slicesPerRelease = SlicesPerRelease,
                batchesBeforeKill = before.Count,
                batchesAfterRestart = after.Count,
                largestBatch = batches.Max(b => b.Slices),
                mostInAPeriod = densest.Max(),
                firstBatchAfterRestartSlices = after[0].Slices,
                minGapBetweenBatchesMs = Math.Round(gaps.Min().TotalMilliseconds),
                gapAcrossRestartMs = before.Count > 0 ? Math.Round((after[0].At - before[^1].At).TotalMilliseconds) : 0,
                ordersExpected = job.ExpectedOrders,
                ordersUnique = unique,
                duplicatesAbsorbed = duplicates,
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
}
