using Backfill.Core.Jobs;
using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class JobStatusTests
{
    [Fact]
    public void Of_CountsSlicesByState_SumsEmittedOrders_AndWritesTheStateLowerCase()
    {
        var job = new JobRecord { Id = "demo-1", Platform = "demo", Shops = ["1", "2"], FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 3), State = JobState.Failed };
        SliceRecord[] slices =
        [
            new() { State = SliceState.Succeeded, Orders = 40 },
            new() { State = SliceState.Succeeded, Orders = 2 },
            new() { State = SliceState.Failed, Orders = 5 },
            new() { State = SliceState.Pending },
        ];

        var status = JobStatus.Of(job, slices);

        Assert.Equal("failed", status.State);
        Assert.Equal(new SliceTotals(4, 1, 0, 0, 2, 1, 0), status.Slices);
        Assert.Equal(47, status.Orders.Emitted);
        Assert.Equal((new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 3)), (status.From, status.To));
    }
}
