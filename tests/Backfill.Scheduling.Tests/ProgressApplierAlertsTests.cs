using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Tests.Alerts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>What applying progress raises: each failed slice once, the job's end once; on a real LiteDB file.</summary>
public sealed class ProgressApplierAlertsTests : IDisposable
{
    private static readonly string[] Days = ["20240101", "20240102"];
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-alerts-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingAlerts _alerts = new();
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;
    private readonly ProgressApplier _applier;

    public ProgressApplierAlertsTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
        // No automatic retry: a failed slice finishes its job.
        var options = Options.Create(new BackfillOptions { AutoRetry = new AutoRetryOptions { Attempts = 0 } });
        _applier = new ProgressApplier(_store, new PlatformBoard(_time), options, _time, NullLogger<ProgressApplier>.Instance, _alerts);
        var job = new JobRecord { Id = "j", Platform = "shopee", Shops = ["1"], State = JobState.Running, CreatedAt = _time.GetUtcNow(), FirstDay = new DateOnly(2024, 1, 1), EndDay = new DateOnly(2024, 1, 3) };
        var slices = Days.Select(d => new SliceRecord { Id = $"j/1/{d}", JobId = "j", Platform = "shopee", Shop = "1", State = SliceState.Running, Attempt = 1 }).ToList();
        _store.Create(job, slices, new Transition("j", "", "Running", _time.GetUtcNow(), "test"));
    }

    private ProgressMessage Progress(string slice, ProgressKind kind, string? error = null) => new()
    {
        Kind = kind, Job = "j", Slice = slice, Attempt = 1, Step = 0, At = _time.GetUtcNow(), Worker = "w", Error = error, Failure = error is null ? null : "Permanent",
    };

    [Fact]
    public void AFailedSlice_RaisedOnce_EvenWhenItsReportComesAgain_ThenTheJobsEnd()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));
        _applier.Apply(Progress("j/1/20240102", ProgressKind.SliceFailed, "error_auth: invalid access token"));
        _applier.Apply(Progress("j/1/20240102", ProgressKind.SliceFailed, "error_auth: invalid access token"));

        Assert.Equal([AlertEvents.SliceFailed, AlertEvents.JobFailed], _alerts.Raised.Select(a => a.Event));
        var failed = _alerts.Raised[0];
        Assert.Equal(("j", "shopee", "j/1/20240102", "error_auth: invalid access token", "Permanent"), (failed.Job, failed.Platform, Assert.Single(failed.Slices!).Slice, failed.Slices![0].Error, failed.Slices![0].Failure));
        var end = _alerts.Raised[1];
        Assert.Equal(("j", "failed", 1L, 1L), (end.Job, end.State, end.Counts!["succeeded"], end.Counts!["failed"]));
    }

    [Fact]
    public void EverySliceSucceeded_TheJobsSuccessIsRaised()
    {
        _applier.Apply(Progress("j/1/20240101", ProgressKind.SliceSucceeded));
        _applier.Apply(Progress("j/1/20240102", ProgressKind.SliceSucceeded));

        var end = Assert.Single(_alerts.Raised);
        Assert.Equal((AlertEvents.JobSucceeded, "succeeded", 2L), (end.Event, end.State, end.Counts!["total"]));
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
