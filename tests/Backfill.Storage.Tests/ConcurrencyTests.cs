using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Storage.Records;

namespace Backfill.Storage.Tests;

/// <summary>The scheduler reads from several threads while one writes: a fresh file must survive that from its first write on.</summary>
public sealed class ConcurrencyTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FirstJobOfAFreshFile_WhileOtherThreadsReadAndWrite_IsStoredWhole()
    {
        for (var round = 0; round < 20; round++)
        {
            using var temp = new TempDatabase();
            var jobs = new JobStore(temp.Db);
            var orders = new RecordStore(temp.Db);
            using var done = new CancellationTokenSource();
            var reader = Task.Run(() =>
            {
                while (!done.IsCancellationRequested)
                {
                    _ = jobs.ActiveJobs();
                    _ = jobs.InFlightSlices("shopee");
                }
            });
            var sink = Task.Run(() =>
            {
                for (var i = 0; !done.IsCancellationRequested; i++)
                {
                    orders.Upsert([RecordStoreTests.Record(Datasets.Orders, "1", $"{i}", Now)], Now);
                }
            });

            var (job, slices) = Job($"j{round}", days: 200);
            jobs.Create(job, slices, new Transition(job.Id, "", "Running", Now, "created"));
            await done.CancelAsync();
            await Task.WhenAll(reader, sink);

            Assert.Equal(400, jobs.Count(job.Id, SliceState.Pending));
            Assert.Single(jobs.ActiveJobs());
        }
    }

    private static (JobRecord Job, List<SliceRecord> Slices) Job(string id, int days)
    {
        var job = new JobRecord
        {
            Id = id, Platform = "shopee", Shops = ["1", "2"], FirstDay = new DateOnly(2024, 1, 1), EndDay = new DateOnly(2024, 1, 1).AddDays(days),
            ReleaseEvery = TimeSpan.FromMinutes(5), State = JobState.Running, CreatedAt = Now,
        };
        var slices = job.Shops.SelectMany(shop => Enumerable.Range(0, days).Select(d =>
        {
            var day = job.FirstDay.AddDays(d);
            return new SliceRecord { Id = SliceRecord.MakeId(id, shop, day), JobId = id, Platform = "shopee", Shop = shop, FirstDay = day, EndDay = day.AddDays(1) };
        })).ToList();
        return (job, slices);
    }
}
