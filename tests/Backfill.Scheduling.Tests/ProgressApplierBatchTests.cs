using System.Diagnostics;
using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Tests.Alerts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>
/// A batch of reports is applied in one transaction of a real LiteDB file: all of it or none, and what it causes outside
/// the file (alerts, the board's step reports, the stale count) only once it is kept.
/// </summary>
public sealed class ProgressApplierBatchTests : IDisposable
{
    private static readonly string[] Days = ["20240101", "20240102", "20240103"];
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-batch-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingAlerts _alerts = new();
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;
    private readonly PlatformBoard _board;
    private readonly ProgressApplier _applier;

    public ProgressApplierBatchTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
        _board = new PlatformBoard(_time);
        var options = Options.Create(new BackfillOptions { AutoRetry = new AutoRetryOptions { Attempts = 0 } });
        _applier = new ProgressApplier(_store, _board, options, _time, NullLogger<ProgressApplier>.Instance, _alerts);
        var job = new JobRecord { Id = "j", Platform = "shopee", Shops = ["1"], State = JobState.Running, CreatedAt = _time.GetUtcNow(), FirstDay = new DateOnly(2024, 1, 1), EndDay = new DateOnly(2024, 1, 4) };
        var slices = Days.Select(d => new SliceRecord { Id = $"j/1/{d}", JobId = "j", Platform = "shopee", Shop = "1", State = SliceState.Running, Attempt = 1 }).ToList();
        _store.Create(job, slices, new Transition("j", "", "Running", _time.GetUtcNow(), "test"));
    }

    private (ProgressMessage, ActivityContext) Report(string day, ProgressKind kind, int attempt = 1) => (new ProgressMessage
    {
        Kind = kind, Job = "j", Slice = $"j/1/{day}", Attempt = attempt, Step = 0, At = _time.GetUtcNow(), Worker = "w", Pages = kind == ProgressKind.StepDone ? 2 : 0,
        Error = kind == ProgressKind.SliceFailed ? "error_auth: invalid access token" : null, Failure = kind == ProgressKind.SliceFailed ? "permanent" : null,
    }, default);

    [Fact]
    public void ABatch_IsAppliedWhole_ThenItsAlertsAndStepReportsGoOutOnce()
    {
        _applier.Apply([
            Report("20240101", ProgressKind.StepDone),
            Report("20240101", ProgressKind.SliceSucceeded),
            Report("20240102", ProgressKind.SliceFailed),
            Report("20240103", ProgressKind.SliceSucceeded),
        ]);

        Assert.Equal([SliceState.Succeeded, SliceState.Failed, SliceState.Succeeded], Days.Select(d => _store.Slice($"j/1/{d}")!.State));
        Assert.Equal(JobState.Failed, _store.Job("j")!.State);
        Assert.Equal([AlertEvents.SliceFailed, AlertEvents.JobFailed], _alerts.Raised.Select(a => a.Event));
        Assert.Equal(2, _board.Totals("shopee").Pages);
    }

    [Fact]
    public void ABatchWithAReportNoReleaseCouldCause_KeepsNothingAndRaisesNothing_ReportByReportTheOthersApplyOnce()
    {
        var good = new[] { Report("20240101", ProgressKind.StepDone), Report("20240102", ProgressKind.SliceFailed), Report("20240101", ProgressKind.SliceSucceeded) };
        var impossible = Report("20240103", ProgressKind.SliceSucceeded, attempt: 7);

        Assert.Throws<UnappliableProgressException>(() => _applier.Apply([good[0], good[1], impossible, good[2]]));

        Assert.All(Days, d => Assert.Equal(SliceState.Running, _store.Slice($"j/1/{d}")!.State));
        Assert.Equal(0, _store.Slice("j/1/20240101")!.Pages);
        Assert.Empty(_alerts.Raised);
        Assert.Equal(0, _board.Totals("shopee").Pages);
        Assert.Equal(0, _applier.Ignored);

        // What the reader does next: each report again, alone; the impossible one is parked.
        foreach (var report in good)
        {
            _applier.Apply([report]);
        }

        Assert.Throws<UnappliableProgressException>(() => _applier.Apply([impossible]));
        Assert.Equal([SliceState.Succeeded, SliceState.Failed, SliceState.Running], Days.Select(d => _store.Slice($"j/1/{d}")!.State));
        Assert.Equal(2, _store.Slice("j/1/20240101")!.Pages);
        Assert.Equal([AlertEvents.SliceFailed], _alerts.Raised.Select(a => a.Event));
        Assert.Equal(2, _board.Totals("shopee").Pages);
    }

    [Fact]
    public void AReportTwiceInOneBatch_TheSecondSeesTheFirst_AndIsIgnored()
    {
        _applier.Apply([Report("20240102", ProgressKind.SliceFailed), Report("20240102", ProgressKind.SliceFailed)]);

        Assert.Equal(SliceState.Failed, _store.Slice("j/1/20240102")!.State);
        Assert.Equal([AlertEvents.SliceFailed], _alerts.Raised.Select(a => a.Event));
        Assert.Equal(1, _applier.Ignored);
        Assert.Single(_store.History("j/1/20240102"), t => t.To == nameof(SliceState.Failed));
    }

    [Fact]
    public void TheDelay_IsHowLateTheLastBatchsOldestReportWasApplied_NeverBelowZero()
    {
        Assert.Null(_applier.Delay);
        var sent = Report("20240101", ProgressKind.StepDone);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        var later = Report("20240102", ProgressKind.StepDone);
        _time.Advance(TimeSpan.FromSeconds(3));

        _applier.Apply([later, sent]);
        Assert.Equal(TimeSpan.FromMilliseconds(3_400), _applier.Delay);

        // A worker whose clock runs ahead sends reports "from the future".
        var ahead = Report("20240103", ProgressKind.StepDone);
        _applier.Apply([(ahead.Item1 with { At = _time.GetUtcNow().AddSeconds(2) }, default)]);
        Assert.Equal(TimeSpan.Zero, _applier.Delay);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
