using Microsoft.Extensions.Options;
using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

public sealed class ProgressApplierTests : IDisposable
{
    private static readonly string[] Days = ["20240101", "20240102"];
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-sched-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;
    private readonly ProgressApplier _applier;
    private readonly PlatformBoard _board;

    public ProgressApplierTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
        _board = new PlatformBoard(_time);
        _applier = new ProgressApplier(_store, _board, Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance);
        var job = new JobRecord { Id = "j", Platform = "p", Shops = ["1"], State = JobState.Running, CreatedAt = _time.GetUtcNow() };
        var slices = Days.Select(d => new SliceRecord { Id = $"j/1/{d}", JobId = "j", Platform = "p", Shop = "1", State = SliceState.Released, Attempt = 2 }).ToList();
        _store.Create(job, slices, new Transition("j", "", "Running", _time.GetUtcNow(), "test"));
    }

    private ProgressMessage Progress(string slice, ProgressKind kind, int step = 0, int attempt = 2) => new()
    {
        Kind = kind, Job = "j", Slice = slice, Attempt = attempt, Step = step, Orders = 10, Pages = 1, Cursor = $"c{step}", More = true, At = _time.GetUtcNow(), Worker = "w",
    };

    [Fact]
    public void Apply_StepsThenSuccess_RecordsCursorCountsAndTransitions()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepStarted));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 0));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 1));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded, step: 1));

        var slice = _store.Slice("j/1/20240101")!;
        Assert.Equal(SliceState.Succeeded, slice.State);
        Assert.Equal((1, 20, 2, "c1"), (slice.Step, slice.Orders, slice.Pages, slice.Cursor));
        Assert.Equal(["Released→Running", "Running→Succeeded"], _store.History(slice.Id).Select(e => $"{e.From}→{e.To}"));
    }

    [Fact]
    public void Apply_WorkerProcessesKafkaOutcomes_ShowInTheStatus_SummedOverProcesses_LatestCountEach_EvenFromStaleReports()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepStarted) with { Process = "a", CommitFailures = 2, Evictions = 1 });
        _applier.Apply(Progress("j/1/20240102", ProgressKind.StepStarted) with { Process = "b", CommitFailures = 3 });
        // An older report of process a (counts since start never go down), and a stale one of b (older attempt) with news.
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone) with { Process = "a", CommitFailures = 1 });
        _applier.Apply(Progress("j/1/20240102", ProgressKind.StepDone, attempt: 1) with { Process = "b", CommitFailures = 4, Evictions = 1 });

        var status = _board.Status("p");
        Assert.Equal((6L, 2L), (status.WorkerCommitFailures, status.WorkerEvictions));
    }

    [Fact]
    public void Apply_StepDone_ReportsThrottlesAndLaneRatesToTheBoard_OnceEvenWhenRepeated()
    {
        var done = Progress("j/1/20240101", ProgressKind.StepDone) with { Throttles = 2, Lane = 1, LaneRate = 2.5, Worker = "w" };

        _applier.Apply(done);
        _applier.Apply(done);

        var status = _board.Status("p");
        Assert.Equal(2, status.Throttles);
        var lane = Assert.Single(status.Lanes);
        Assert.Equal((1, 2.5, "w"), (lane.Lane, lane.Rate, lane.Worker));
    }

    [Fact]
    public void Board_CoolOff_HoldsUntilItEnds()
    {
        _board.CoolOff("p", _time.GetUtcNow().AddSeconds(60), "breaker");

        Assert.Equal(_time.GetUtcNow().AddSeconds(60), _board.CoolingOffUntil("P"));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(_board.CoolingOffUntil("p"));
        Assert.Null(_board.Status("p").CoolOffUntil);
    }

    [Fact]
    public void Apply_RepeatedStep_IsCountedOnce()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 0));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 0));

        Assert.Equal(10, _store.Slice("j/1/20240101")!.Orders);
        Assert.Equal(1, _applier.Ignored);
    }

    [Fact]
    public void Apply_Steps_AddUpTheirPlatformCalls_OnceEachEvenWhenRepeated()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 0) with { Calls = 7 });
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 0) with { Calls = 7 });
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 1) with { Calls = 4 });

        Assert.Equal(11, _store.Slice("j/1/20240101")!.Calls);
    }

    [Fact]
    public void Apply_Steps_AddUpTheirCallsAndRecordsPerDataset_IntoTheSliceAndTheJobsTotals_OnceEachEvenWhenRepeated()
    {
        var split = Progress("j/1/20240101", ProgressKind.StepDone, step: 0) with
        {
            Calls = 103, Orders = 100, CallsByData = new() { ["orders"] = 3, ["finance"] = 100 }, RecordsByData = new() { ["orders"] = 100, ["finance"] = 100 },
            Cursor = "returns|",
        };
        _applier.Apply(split);
        _applier.Apply(split);
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 1) with
        {
            Calls = 1, Orders = 0, CallsByData = new() { ["returns"] = 1 }, RecordsByData = new() { ["returns"] = 2 }, Cursor = "returns|7",
        });
        _applier.Apply(Progress("j/1/20240102", ProgressKind.StepDone, step: 0) with { Calls = 4 });

        var slice = _store.Slice("j/1/20240101")!;
        Assert.Equal(new Dictionary<string, int> { ["orders"] = 3, ["finance"] = 100, ["returns"] = 1 }, slice.CallsByData);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 100, ["finance"] = 100, ["returns"] = 2 }, slice.Records);
        Assert.Equal((104, 100L, "returns|7"), (slice.Calls, slice.Orders, slice.Cursor));
        var totals = _store.Totals("j");
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 7, ["finance"] = 100, ["returns"] = 1 }, totals.Calls);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 110, ["finance"] = 100, ["returns"] = 2 }, totals.Records);
    }

    [Fact]
    public void Apply_ProgressOfAnOlderAttempt_IsIgnored()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceFailed, attempt: 1));

        Assert.Equal(SliceState.Released, _store.Slice("j/1/20240101")!.State);
        Assert.Equal(1, _applier.Ignored);
    }

    [Fact]
    public void Apply_LastSliceFinishes_FinishesTheJobAsFailedWhenAnyFailed()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));
        Assert.Equal(JobState.Running, _store.Job("j")!.State);

        _applier.Apply(Progress("j/1/20240102", ProgressKind.SliceFailed) with { Error = "p: error_auth: expired" });

        var job = _store.Job("j")!;
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal(_time.GetUtcNow(), job.FinishedAt);
        Assert.Equal("p: error_auth: expired", _store.Slice("j/1/20240102")!.Error);
    }

    [Fact]
    public void Apply_AfterTheSliceIsTerminal_ChangesNothing()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceFailed));

        Assert.Equal(SliceState.Succeeded, _store.Slice("j/1/20240101")!.State);
    }

    [Fact]
    public void Apply_SuccessOfTheAttemptOfASliceBackToPending_IsIgnored_NotThrown()
    {
        // Attempt 2 was released, its produce failed (it may still have gone out): the slice waits for attempt 3.
        var pending = _store.Slice("j/1/20240101")!;
        _store.Save(pending, pending.MoveTo(SliceState.Pending, _time.GetUtcNow(), "release failed"));

        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded, attempt: 2));

        Assert.Equal(SliceState.Pending, _store.Slice("j/1/20240101")!.State);
        Assert.Equal(1, _applier.Ignored);
    }

    [Fact]
    public void Apply_SuccessOfAnAttemptNeverReleased_IsRefusedWithWhy_AndChangesNothing()
    {
        var pending = _store.Slice("j/1/20240101")!;
        pending.Attempt = 0;
        _store.Save(pending, pending.MoveTo(SliceState.Pending, _time.GetUtcNow(), "test: never released"));

        var refused = Assert.Throws<UnappliableProgressException>(() => _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded, attempt: 0)));

        Assert.Contains("attempt 0 of slice j/1/20240101 was never released", refused.Message, StringComparison.Ordinal);
        Assert.Equal(SliceState.Pending, _store.Slice("j/1/20240101")!.State);
        Assert.Equal(JobState.Running, _store.Job("j")!.State);
    }

    [Fact]
    public void Apply_FailureRedeliveredAfterARetry_IsIgnored_AndTheRetriedSliceRunsOn()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceFailed) with { Error = "boom" });
        var slice = _store.Slice("j/1/20240101")!;
        _store.Save(slice, slice.MoveTo(SliceState.Pending, _time.GetUtcNow(), "retried"));

        // The same attempt's failure again (its step was redone after a crash), and stale steps of it.
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceFailed) with { Error = "boom" });
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepDone, step: 3));
        _applier.Apply(Progress("j/1/20240101", ProgressKind.StepStarted, step: 4));

        var after = _store.Slice("j/1/20240101")!;
        Assert.Equal(SliceState.Pending, after.State);
        Assert.Equal((-1, 0L), (after.Step, after.Orders));
        Assert.Equal(3, _applier.Ignored);
    }

    [Fact]
    public void Apply_LateReportOfAFinishedJobWhoseSlicesWereDeleted_IsIgnored_NotParked()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));
        _applier.Apply(Progress("j/1/20240102", ProgressKind.SliceSucceeded));
        while (_store.PruneSlices("j", 100, _time.GetUtcNow()) > 0)
        {
        }

        // A redone step of a long-finished job, delivered after its slices went: old news, not an impossible report.
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));

        Assert.Equal(1, _applier.Ignored);
        Assert.Equal(JobState.Succeeded, _store.Job("j")!.State);
    }

    [Fact]
    public void Apply_ReportOfAnUnknownJobsSlice_IsStillRefused()
    {
        Assert.Throws<UnappliableProgressException>(() => _applier.Apply(Progress("k/1/20240101", ProgressKind.SliceSucceeded) with { Job = "k" }));
        Assert.Null(_store.Job("k"));
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
