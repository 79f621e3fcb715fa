using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>A slice in flight whose step was lost goes back to be released again, on the scheduler's clock.</summary>
public sealed class StuckSlicesTests : IDisposable
{
    private const string Lost = "j/1/20240101";
    private const string Busy = "j/1/20240102";
    private static readonly TimeSpan After = TimeSpan.FromMinutes(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-stuck-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;
    private readonly PlatformBoard _board;
    private readonly ProgressApplier _applier;
    private readonly StuckSlices _stuck;

    public StuckSlicesTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
        _board = new PlatformBoard(_time);
        _applier = new ProgressApplier(_store, _board, Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance);
        _stuck = new StuckSlices(_store, _applier, _board, Options.Create(new BackfillOptions { StuckAfter = After }), _time, NullLogger<StuckSlices>.Instance);
        var now = _time.GetUtcNow();
        _store.Create(
            new JobRecord { Id = "j", Platform = "p", Shops = ["1"], State = JobState.Running, CreatedAt = now },
            [
                new SliceRecord { Id = Lost, JobId = "j", Platform = "p", Shop = "1", State = SliceState.Running, Attempt = 3, Step = 1, ProgressAt = now },
                new SliceRecord { Id = Busy, JobId = "j", Platform = "p", Shop = "1", State = SliceState.Released, Attempt = 1, ProgressAt = now },
                new SliceRecord { Id = "j/1/20240103", JobId = "j", Platform = "p", Shop = "1", State = SliceState.Pending },
            ],
            new Transition("j", "", "Running", now, "test"));
    }

    [Fact]
    public async Task AStuckSlice_IsRaisedWithItsAttemptAndWhenLastHeard()
    {
        var alerts = new Alerts.RecordingAlerts();
        var stuck = new StuckSlices(_store, _applier, _board, Options.Create(new BackfillOptions { StuckAfter = After }), _time, NullLogger<StuckSlices>.Instance, alerts);
        var heard = _time.GetUtcNow();
        _time.Advance(After);

        await stuck.CheckAsync(CancellationToken.None);

        Assert.Equal([(Scheduling.Alerts.AlertEvents.SliceStuck, Lost, 3, heard), (Scheduling.Alerts.AlertEvents.SliceStuck, Busy, 1, heard)],
            alerts.Raised.Select(a => (a.Event, a.Slice!, a.Attempt!.Value, a.Until!.Value)).OrderBy(a => a.Item3 == 1));
        Assert.Equal($"slice.stuck:{Lost}:3", alerts.Raised.Single(a => a.Slice == Lost).Key);
    }

    [Fact]
    public async Task NothingHeardForStuckAfter_BackToPending_AttemptKept_CountedAndRecorded_NoLongerInFlight()
    {
        _time.Advance(After / 2);
        _applier.Apply(new ProgressMessage { Kind = ProgressKind.StepStarted, Job = "j", Slice = Busy, Attempt = 1, Step = 0, At = _time.GetUtcNow(), Worker = "w" });
        _time.Advance(After / 2);

        var restarted = await _stuck.CheckAsync(CancellationToken.None);

        Assert.Equal([Lost], restarted.Select(s => s.Id));
        var lost = _store.Slice(Lost)!;
        Assert.Equal((SliceState.Pending, 3, 1), (lost.State, lost.Attempt, lost.Restarts));
        Assert.Equal(0, _store.Slice(Busy)!.Restarts);
        var history = _store.History(Lost)[^1];
        Assert.Equal(("Running", "Pending"), (history.From, history.To));
        Assert.Contains("nothing heard of attempt 3 since 2024-06-01T00:00:00.0000000+00:00 (Backfill:StuckAfter 00:10:00): released again as a new attempt", history.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _board.Totals("p").Restarts);
        Assert.Equal([Busy], _store.InFlightSlices("p").Select(s => s.Id));
        Assert.Equal(SliceState.Running, _store.Slice(Busy)!.State);
    }

    [Fact]
    public async Task WhileAQuotaPauseRuns_NothingIsStuck_AndSilenceCountsFromItsEnd()
    {
        _time.Advance(After / 2);
        _board.QuotaSpent("p", _time.GetUtcNow() + After, "share spent");
        _time.Advance(After);

        Assert.Empty(await _stuck.CheckAsync(CancellationToken.None));

        _time.Advance(After / 2);
        Assert.Empty(await _stuck.CheckAsync(CancellationToken.None));
        _time.Advance(After / 2);
        Assert.Equal([Lost, Busy], (await _stuck.CheckAsync(CancellationToken.None)).Select(s => s.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReportsOfTheLostAttemptArrivingLater_AreIgnored()
    {
        _time.Advance(After);
        await _stuck.CheckAsync(CancellationToken.None);

        _applier.Apply(new ProgressMessage { Kind = ProgressKind.SliceSucceeded, Job = "j", Slice = Lost, Attempt = 3, Step = 2, At = _time.GetUtcNow(), Worker = "w" });

        Assert.Equal(SliceState.Pending, _store.Slice(Lost)!.State);
        Assert.Equal(1, _applier.Ignored);
    }

    [Fact]
    public async Task TheCheck_RunsOnTheSchedulersClock()
    {
        using var stop = new CancellationTokenSource();
        var run = _stuck.RunAsync(stop.Token);
        Assert.Equal(TimeSpan.FromMinutes(1), _stuck.CheckEvery);

        for (var i = 0; i < 9; i++)
        {
            _time.Advance(_stuck.CheckEvery);
        }

        Assert.Equal(SliceState.Running, _store.Slice(Lost)!.State);
        _time.Advance(_stuck.CheckEvery);
        await WaitAsync(() => _store.Slice(Lost)!.State == SliceState.Pending);
        await stop.CancelAsync();
        await run;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the check did not run");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
