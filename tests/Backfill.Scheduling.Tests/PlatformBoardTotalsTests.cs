using Microsoft.Extensions.Options;
using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

public sealed class PlatformBoardTotalsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-board-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BackfillDatabase _db;
    private readonly PlatformBoard _board;
    private readonly ProgressApplier _applier;

    public PlatformBoardTotalsTests()
    {
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        var store = new JobStore(_db);
        _board = new PlatformBoard(_time);
        _applier = new ProgressApplier(store, _board, Options.Create(new BackfillOptions()), _time, NullLogger<ProgressApplier>.Instance);
        var job = new JobRecord { Id = "j", Platform = "p", Shops = ["1"], State = JobState.Running, CreatedAt = _time.GetUtcNow() };
        store.Create(job, [new SliceRecord { Id = "j/1/20240101", JobId = "j", Platform = "p", Shop = "1", State = SliceState.Released, Attempt = 1 }], new Transition("j", "", "Running", _time.GetUtcNow(), "test"));
    }

    [Fact]
    public void StepDone_CountsPagesAndThrottlesOnce_EvenWhenTheStepIsDeliveredAgain()
    {
        var step0 = Step(0, pages: 5, throttles: 1);
        _applier.Apply(step0);
        _applier.Apply(step0);
        _applier.Apply(Step(1, pages: 2, throttles: 0));

        Assert.Equal(new PlatformTotals(Pages: 7, Throttles: 1, Releases: 0), _board.Totals("p"));
    }

    [Fact]
    public void Released_CountsEachSlice_PerPlatform()
    {
        _board.Released("p");
        _board.Released("P");
        _board.Released("q");

        Assert.Equal(2, _board.Totals("p").Releases);
        Assert.Equal(1, _board.Totals("q").Releases);
        Assert.Equal(["p", "q"], _board.Platforms());
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private ProgressMessage Step(int step, int pages, int throttles) => new()
    {
        Kind = ProgressKind.StepDone, Job = "j", Slice = "j/1/20240101", Attempt = 1, Step = step, Pages = pages, Throttles = throttles,
        Orders = 10, More = true, At = _time.GetUtcNow(), Worker = "w",
    };
}
