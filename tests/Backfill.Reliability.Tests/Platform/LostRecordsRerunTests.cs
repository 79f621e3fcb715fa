using Backfill.Messaging.Clients;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// A job some of whose orders left the topic before the sink read them says so once it finished, and is not all saved;
/// a forced re-run of every slice emits its orders again, starts its span anew, and ends with every order saved.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LostRecordsRerunTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AJobWithOrdersLostInItsSpan_SaysHowMany_AndAForcedRerunEndsWithEveryOrderSaved()
    {
        await using var harness = await Harness.StartAsync();
        await using var run = await ServerRun.StartAsync(harness);
        var store = run.Server.Services.GetRequiredService<JobStore>();
        var orders = run.Server.Services.GetRequiredService<KafkaConnection>().Topics.Orders;

        var job = await run.CreateAsync(new DateOnly(2024, 2, 26), 3);
        var from = await LostRecords.AtTheStartOfAsync(run.Server.Services, job, Limit);

        await run.WaitForStateAsync(job, "succeeded", Limit);
        var lost = await StatusWhenSettledAsync(run, job);
        var written = store.Job(job)!.RecordsTo!.Where(o => o.Topic == orders).Count(o => o.Offset > from.Single(f => f.Topic == orders && f.Partition == o.Partition).Offset);
        Assert.False(lost.Orders.AllSaved);
        Assert.Equal(written, lost.Orders.Lost);

        var (status, _) = await run.RetryAsync(job, new { force = true });
        Assert.Equal(200, status);
        await run.WaitForStateAsync(job, "succeeded", Limit);
        var rerun = await StatusWhenSettledAsync(run, job);

        Assert.True(rerun.Orders.AllSaved, "the re-run's orders were not all saved");
        Assert.Equal(0, rerun.Orders.Lost);
        var again = store.Job(job)!.RecordsFrom!;
        Assert.All(again.Where(o => o.Topic == orders), o => Assert.True(o.Offset >= from.Single(f => f.Partition == o.Partition && f.Topic == orders).Offset));
        Assert.True(again.Where(o => o.Topic == orders).Sum(o => o.Offset) > from.Where(o => o.Topic == orders).Sum(o => o.Offset), "the re-run kept the first run's span");
    }

    /// <summary>The finished job's status once the sink has read past its records: every one saved, or some lost.</summary>
    private static async Task<Server.Jobs.JobStatus> StatusWhenSettledAsync(ServerRun run, string job)
    {
        Server.Jobs.JobStatus? status = null;
        await Poll.Eventually(async () => (status = await run.Http.JobAsync(job)).Orders is { AllSaved: true } or { Lost: > 0 }, Limit, "the sink to read past the job's records");
        return status!;
    }
}
