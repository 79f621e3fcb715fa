using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// crash-2, the narrow window: the scheduler marks a slice Released in LiteDB before it produces the slice's first step
/// (so progress can never arrive first), and a <c>kill -9</c> between the two leaves a Released slice that no worker
/// will ever see; the in-flight cap would count it for ever. The file is put in exactly that state here, since no kill
/// can be timed to a few milliseconds, and the next scheduler must send that step again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReleaseCrashWindowTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SchedulerKilledBetweenMarkingReleasedAndProducing_TheNextSchedulerSendsTheStep_AndTheSliceSucceeds()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        var day = new DateOnly(2024, 1, 10);
        var shop = Harness.Shops[0];
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var expected = harness.Simulator.ExpectedOrders(shop, from, from.AddDays(2));
        var database = Path.Combine(harness.Settings["Backfill:DataDirectory"]!, "backfill.db");

        // A scheduler without workers releases the first slice (an hour's cadence: the only release of this test).
        string jobId;
        using (var first = harness.Host(BackfillRoles.Scheduler))
        {
            await first.StartAsync();
            var (job, _) = await first.Services.GetRequiredService<JobPlanner>().CreateAsync(
                new BackfillRequest(Harness.Platform, [shop], day, day.AddDays(2), ReleaseEvery: TimeSpan.FromHours(1), SlicesPerRelease: 1), CancellationToken.None);
            jobId = job.Id;
            var store = first.Services.GetRequiredService<JobStore>();
            await Poll.Eventually(() => store.Count(jobId, SliceState.Released) == 1, TimeSpan.FromSeconds(20), "the first release");
            await first.StopAsync();
        }

        // The second slice as a kill between marking it Released and producing its step leaves it.
        using (var db = new BackfillDatabase(database))
        {
            var store = new JobStore(db);
            var sent = store.Slices(jobId, SliceState.Released).Single();
            var lost = store.Slices(jobId, SliceState.Pending).Single();
            lost.Attempt++;
            lost.Lane = (sent.Lane + 1) % sent.Lanes;
            lost.Lanes = sent.Lanes;
            store.Save(lost, lost.MoveTo(SliceState.Released, sent.UpdatedAt, $"released (attempt {lost.Attempt}, lane {lost.Lane}/{lost.Lanes})"));
        }

        using var next = harness.Host(BackfillRoles.All);
        await next.StartAsync();
        var jobs = next.Services.GetRequiredService<JobStore>();
        var orders = next.Services.GetRequiredService<RecordStore>();
        await Poll.Eventually(() => jobs.Job(jobId)!.IsFinished, TimeSpan.FromSeconds(60), "both slices to finish after the restart");
        await Poll.Eventually(() => orders.Count(Datasets.Orders, Harness.Platform, [shop], from, from.AddDays(2)) == expected, TimeSpan.FromSeconds(30), "the sink to hold every order");

        var slices = jobs.Slices(jobId);
        Assert.All(slices, s => Assert.Equal(SliceState.Succeeded, s.State));
        Assert.All(slices, s => Assert.Equal(1, s.Attempt));
        output.WriteLine($"slices {slices.Count}, orders {expected}, duplicates absorbed {orders.Totals(Datasets.Orders).DuplicatesAbsorbed}");
        await next.StopAsync();
    }
}
