using Backfill.Core.Jobs;
using Backfill.Scheduling.Retention;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Retention;

/// <summary><c>serve</c>'s daily deletion of finished jobs' slices, on a fake clock against a real LiteDB file.</summary>
public sealed class RetentionServiceTests : IDisposable
{
    private static readonly TimeSpan Keep = TimeSpan.FromDays(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-retention-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;

    public RetentionServiceTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
    }

    [Fact]
    public async Task AtStartAndThenDaily_DeletesTheSlicesOfJobsFinishedLongerAgoThanKeep_AndNothingElse()
    {
        var now = _time.GetUtcNow();
        Create("old", finishedAt: now - Keep - TimeSpan.FromDays(1), days: 600, shops: 2);
        Create("recent", finishedAt: now - TimeSpan.FromDays(10), days: 3, shops: 1);
        Create("running", finishedAt: null, days: 3, shops: 1);
        using var service = new RetentionService(_store, new ProgressApplier(_store, new PlatformBoard(_time), Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance), Options.Create(new BackfillOptions { KeepFinishedJobs = Keep }), _time, NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await Until(() => service.Runs >= 1, "the run at start");

        Assert.Empty(_store.Slices("old"));
        Assert.Empty(_store.History("old/1/20220101"));
        Assert.Empty(_store.History("old/2/20230823"));
        Assert.Single(_store.History("recent/1/20220101"));
        Assert.Equal(new JobTotals(new SliceCounts(0, 0, 0, 1200, 0, 0), 1200, PrunedAt: now, Pruned: true) { Records = new Dictionary<string, long> { ["orders"] = 1200 } }, _store.Totals("old"));
        Assert.Equal(3, _store.Slices("recent").Count);
        Assert.Equal(3, _store.Slices("running").Count);

        _time.Advance(TimeSpan.FromDays(19));
        await Until(() => service.Runs >= 2, "the next day's run");
        Assert.Equal(3, _store.Slices("recent").Count);

        _time.Advance(RetentionService.Every);
        await Until(() => service.Runs >= 3, "the run of the day after");
        Assert.Empty(_store.Slices("recent"));
        Assert.Equal(3, _store.Slices("running").Count);
        Assert.Equal(JobState.Succeeded, _store.Job("recent")!.State);

        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task KeepZero_DeletesNothing()
    {
        Create("old", finishedAt: _time.GetUtcNow() - TimeSpan.FromDays(3650), days: 3, shops: 1);
        using var service = new RetentionService(_store, new ProgressApplier(_store, new PlatformBoard(_time), Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance), Options.Create(new BackfillOptions { KeepFinishedJobs = TimeSpan.Zero }), _time, NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!;

        Assert.Equal(3, _store.Slices("old").Count);
        Assert.Equal(0, service.Runs);
    }

    [Fact]
    public async Task ABatch_WaitsForACommandUnderWay_AndDeletesNothingOfAJobTheCommandRanAgain()
    {
        var now = _time.GetUtcNow();
        Create("old", finishedAt: now - Keep - TimeSpan.FromDays(1), days: 3, shops: 1);
        var progress = new ProgressApplier(_store, new PlatformBoard(_time), Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance);
        using var service = new RetentionService(_store, progress, Options.Create(new BackfillOptions { KeepFinishedJobs = Keep }), _time, NullLogger<RetentionService>.Instance);

        // A forced retry holds the lock from its check that nothing was deleted until the job runs again.
        await progress.Sync.WaitAsync();
        var pruning = service.PruneDueAsync(Keep, CancellationToken.None);
        await Task.Delay(200, CancellationToken.None);
        Assert.False(pruning.IsCompleted, "a batch ran while a command held the lock");
        var job = _store.Job("old")!;
        _store.Save(job, job.MoveTo(JobState.Running, now, "retried (forced)", force: true));
        progress.Sync.Release();
        await pruning;

        Assert.Equal(3, _store.Slices("old").Count);
        Assert.Null(_store.Totals("old").PrunedAt);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private void Create(string id, DateTimeOffset? finishedAt, int days, int shops)
    {
        var start = _time.GetUtcNow() - TimeSpan.FromDays(60);
        var job = new JobRecord
        {
            Id = id, Platform = "p", Shops = [.. Enumerable.Range(1, shops).Select(s => $"{s}")], FirstDay = new DateOnly(2022, 1, 1), EndDay = new DateOnly(2022, 1, 1).AddDays(days),
            State = JobState.Running, CreatedAt = start,
        };
        var state = finishedAt is null ? SliceState.Pending : SliceState.Succeeded;
        var slices = job.Shops.SelectMany(shop => Enumerable.Range(0, days).Select(d => job.FirstDay.AddDays(d)).Select(day => new SliceRecord
        {
            Id = SliceRecord.MakeId(id, shop, day), JobId = id, Platform = "p", Shop = shop, FirstDay = day, EndDay = day.AddDays(1), State = state, Orders = finishedAt is null ? 0 : 1,
        })).ToList();
        _store.Create(job, slices, new Transition(id, "", "Running", start, "created"));
        _store.Save(slices, slices.Select(s => new Transition(s.Id, "Running", s.State.ToString(), start, "step")));
        if (finishedAt is { } at)
        {
            _store.Save(job, job.MoveTo(JobState.Succeeded, at, "every slice succeeded"));
        }
    }
}
