using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Storage;
using LiteDB;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// crash-plan: <c>kill -9</c> of <c>serve</c> while it writes a large job's slices (100 shops × 1,000 days, written a
/// batch per transaction). The file holds no job after the kill, only slices that belong to none; the new
/// <c>serve</c> shows no job and releases nothing of it, and its next creation deletes those slices.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PlanningKillTests(ITestOutputHelper output)
{
    private const int Shops = 100;
    private const int Days = 1_000;

    [Fact]
    public async Task KillNineWhilePlanning_LeavesNoJob_AndTheNextCreationDropsItsSlices()
    {
        var shops = Enumerable.Range(1, Shops).Select(i => (60_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var fleet = await ProcessFleet.StartAsync("crash-plan", shops, 20, new Dictionary<string, string>());
        var passed = false;
        try
        {
            var (serve, api) = await fleet.ServeAsync("serve", "serve");
            var files = DatabaseFiles(fleet);
            var before = Size(files);
            var planning = Stopwatch.StartNew();
            var post = fleet.Http.PostAsJsonAsync(new Uri(api, "api/jobs"), new { platform = ProcessFleet.Platform, shops, from = "2020-01-01", to = "2022-09-27" });

            // Batches are being written: the file and its log have grown by a few of them, and the job is not stored yet.
            await fleet.Eventually(() => Task.FromResult(Size(files) - before > 4_000_000 || post.IsCompleted), TimeSpan.FromSeconds(60), "the first batches of slices on disk");
            Assert.False(post.IsCompleted, $"planning ended before the kill ({planning.Elapsed.TotalSeconds:0.0} s)");
            serve.Kill();
            var killedAfter = planning.Elapsed;
            Assert.True(await serve.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "serve survived SIGKILL");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => post);

            using (var db = new BackfillDatabase(fleet.DatabasePath()))
            {
                Assert.Empty(new JobStore(db).Jobs());
            }

            var (plans, slicesByJob) = FileContents(fleet.DatabasePath());
            var plan = Assert.Single(plans);
            var orphans = slicesByJob.GetValueOrDefault(plan);
            Assert.InRange(orphans, 1, Shops * Days - 1);
            Assert.Equal(0, orphans % JobStore.CreateBatch);

            var (restarted, api2) = await fleet.ServeAsync("serve-2", "serve");
            var listed = await fleet.Http.GetFromJsonAsync<JsonElement>(new Uri(api2, "api/jobs"));
            Assert.Empty(listed.GetProperty("jobs").EnumerateArray());
            var small = await fleet.CreateJobAsync(api2, new { platform = ProcessFleet.Platform, shops = shops[..1], from = "2024-01-01", to = "2024-01-03", releaseEvery = "01:00:00" });
            Assert.True(await restarted.StopAsync(TimeSpan.FromSeconds(20)), "serve-2 did not stop");

            using (var db = new BackfillDatabase(fleet.DatabasePath()))
            {
                var store = new JobStore(db);
                Assert.Equal([small], store.Jobs().Select(j => j.Id));
                Assert.Equal(2, store.Counts(small).Total);
            }

            (plans, slicesByJob) = FileContents(fleet.DatabasePath());
            Assert.Empty(plans);
            Assert.Equal(new Dictionary<string, int> { [small] = 2 }, slicesByJob);

            ScenarioFigures.Record(output, "crash-plan", new
            {
                slicesAsked = Shops * Days,
                killedAfterSeconds = Math.Round(killedAfter.TotalSeconds, 2),
                slicesOnDiskAtKill = orphans,
                jobsAfterRestart = 0,
                slicesLeftAfterNextCreation = 0,
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
        }
    }

    private static string[] DatabaseFiles(ProcessFleet fleet) =>
        [fleet.DatabasePath(), Path.ChangeExtension(fleet.DatabasePath(), null) + "-log.db"];

    /// <summary>
    /// What the file holds, read with LiteDB itself: the ids of the plans (jobs whose slices were being written) and the
    /// slices of each job id. A plan and its slices belong to no job, so no reader of the product's lists them.
    /// </summary>
    private static (List<string> Plans, Dictionary<string, int> SlicesByJob) FileContents(string path)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var plans = db.GetCollection("plans").FindAll().Select(p => p["_id"].AsString).ToList();
        var slices = db.GetCollection("slices").FindAll()
            .GroupBy(s => s["JobId"].AsString, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return (plans, slices);
    }

    private static long Size(string[] files) => files.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
}
