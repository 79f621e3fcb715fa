using Microsoft.Extensions.Options;
using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>A cancelled job's slices in flight end as their workers report them stopped; nothing reported later revives them (R4).</summary>
public sealed class ProgressApplierCancelTests : IDisposable
{
    private const string Running = "j/1/20240101";
    private const string Released = "j/1/20240102";
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-sched-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BackfillDatabase _db;
    private readonly JobStore _store;
    private readonly ProgressApplier _applier;

    public ProgressApplierCancelTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new JobStore(_db);
        _applier = new ProgressApplier(_store, new PlatformBoard(_time), Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance);
        var job = new JobRecord { Id = "j", Platform = "p", Shops = ["1"], State = JobState.Cancelled, CreatedAt = _time.GetUtcNow() };
        _store.Create(
            job,
            [
                new SliceRecord { Id = Running, JobId = "j", Platform = "p", Shop = "1", State = SliceState.Running, Attempt = 1, Step = 0, Pages = 5, Orders = 50, Cursor = "c0" },
                new SliceRecord { Id = Released, JobId = "j", Platform = "p", Shop = "1", State = SliceState.Released, Attempt = 1 },
            ],
            new Transition("j", "Running", "Cancelled", _time.GetUtcNow(), "test"));
    }

    private ProgressMessage Progress(string slice, ProgressKind kind, int step, int pages = 0) => new()
    {
        Kind = kind, Job = "j", Slice = slice, Attempt = 1, Step = step, Pages = pages, Orders = pages * 10, Cursor = pages > 0 ? $"c{step}" : null, At = _time.GetUtcNow(), Worker = "w",
    };

    [Fact]
    public void Apply_SliceCancelledAfterAPartialStep_CountsItsPagesAndCancelsTheSlice()
    {
        _applier.Apply(Progress(Running, ProgressKind.SliceCancelled, step: 1, pages: 2));

        var slice = _store.Slice(Running)!;
        Assert.Equal(SliceState.Cancelled, slice.State);
        Assert.Equal((1, 7, 70L, "c1"), (slice.Step, slice.Pages, slice.Orders, slice.Cursor));
        Assert.Equal(["Running→Cancelled"], _store.History(Running).Select(e => $"{e.From}→{e.To}"));
    }

    [Fact]
    public void Apply_StepDroppedBeforeItsFirstCall_GoesFromReleasedStraightToCancelled()
    {
        _applier.Apply(Progress(Released, ProgressKind.SliceCancelled, step: 0));

        var slice = _store.Slice(Released)!;
        Assert.Equal(SliceState.Cancelled, slice.State);
        Assert.Equal(0, slice.Pages);
        Assert.Equal(["Released→Cancelled"], _store.History(Released).Select(e => $"{e.From}→{e.To}"));
    }

    [Theory]
    [InlineData(ProgressKind.StepStarted)]
    [InlineData(ProgressKind.StepDone)]
    [InlineData(ProgressKind.SliceSucceeded)]
    [InlineData(ProgressKind.SliceFailed)]
    [InlineData(ProgressKind.SliceCancelled)]
    public void Apply_LateProgressOfACancelledSlice_DoesNotReviveOrCountIt(ProgressKind kind)
    {
        _applier.Apply(Progress(Running, ProgressKind.SliceCancelled, step: 1, pages: 2));

        _applier.Apply(Progress(Running, kind, step: 2, pages: 3));

        var slice = _store.Slice(Running)!;
        Assert.Equal(SliceState.Cancelled, slice.State);
        Assert.Equal(7, slice.Pages);
        Assert.Equal(JobState.Cancelled, _store.Job("j")!.State);
        Assert.Equal(1, _applier.Ignored);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
