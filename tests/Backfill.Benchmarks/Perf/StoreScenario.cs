using System.Collections.Specialized;
using Backfill.Core.Jobs;
using Backfill.Scheduling;
using Backfill.Server.Jobs;
using Backfill.Storage;
using LiteDB;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P3: a job of 500 shops × N days planned and persisted by the product's <see cref="JobPlanner"/> and
/// <see cref="JobStore"/>, against a raw LiteDB bulk insert of as many documents of the same size into a file of the
/// same kind; then the status of that job and the list of 1,000 jobs as <c>GET /api/jobs/{id}</c> and
/// <c>GET /api/jobs</c> read and build them (the store's totals, <see cref="JobStatus.Of(JobRecord, JobTotals, SinkState)"/>),
/// with all those slices stored.
/// </summary>
internal sealed class StoreScenario(PerfOptions options)
{
    private const string Platform = "perf";
    private const int StatusQueries = 200;
    private const int ListQueries = 20;
    private static readonly DateOnly From = new(2020, 1, 1);
    private readonly TimeProvider _time = TimeProvider.System;

    public async Task<IReadOnlyList<PerfRow>> RunAsync(CancellationToken cancellationToken)
    {
        var shops = Math.Min(500, options.Slices);
        var days = Math.Max(1, options.Slices / shops);
        var slices = (long)shops * days;
        using var folder = new TempFolder("backfill-perf-p3-");

        // A small round of each side first, on files of their own, so neither pays for JIT and LiteDB's start-up.
        RawInsert(folder.File("warm-raw.db"), Math.Min(shops, 50), Math.Min(days, 20), ProductDocumentSize(shops, days));
        await WarmUpAsync(folder.File("warm.db"), Math.Min(shops, 50), Math.Min(days, 20), cancellationToken);
        Disk.Settle();
        var raw = RawInsert(folder.File("raw.db"), shops, days, ProductDocumentSize(shops, days));
        Say($"P3 raw LiteDB bulk insert: {slices:N0} documents in {raw.TotalSeconds:0.0} s ({slices / raw.TotalSeconds:N0}/s)");

        // The release trigger the planner schedules, in Quartz's in-memory store as the product keeps it (never started).
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddQuartz(new NameValueCollection { ["quartz.scheduler.instanceName"] = $"perf-{Guid.NewGuid():N}" }, q => q.UseInMemoryStore())
            .BuildServiceProvider();
        var factory = services.GetRequiredService<ISchedulerFactory>();
        using var db = new BackfillDatabase(folder.File("backfill.db"));
        var store = new JobStore(db);
        var planner = new JobPlanner(store, new ReleaseTriggers(factory, _time), new EveryShop(), Options.Create(new Scheduling.BackfillOptions { MaxSlicesPerJob = (int)Math.Max(slices, 200_000) }), _time);
        try
        {
            Disk.Settle();
            var started = _time.GetTimestamp();
            var (job, planned) = await planner.CreateAsync(new BackfillRequest(Platform, [.. Shops(shops)], From, From.AddDays(days)), cancellationToken);
            var product = _time.GetElapsedTime(started);
            Say($"P3 product plan + persist: {planned:N0} slices in {product.TotalSeconds:0.0} s ({planned / product.TotalSeconds:N0}/s)");

            var board = new PlatformBoard(_time);
            var status = Latencies(StatusQueries, () => Status(job.Id, store, board));
            for (var i = 1; i < options.Jobs; i++)
            {
                await planner.CreateAsync(new BackfillRequest(Platform, [$"small-{i}"], From, From.AddDays(7)), cancellationToken);
            }

            var list = Latencies(ListQueries, () => List(Math.Min(options.Jobs, JobList.MaxLimit), store, board));
            var listed = List(Math.Min(options.Jobs, JobList.MaxLimit), store, board).Count;
            var productRate = slices / product.TotalSeconds;
            var rawRate = slices / raw.TotalSeconds;
            var statusP99 = Percentiles.Of(status, 99);
            var listP95 = Percentiles.Of(list, 95);
            return
            [
                new PerfRow("P3", $"plan + persist {slices:N0} slices ({shops} shops × {days} days)", $"{productRate:N0} slices/s", $"{rawRate:N0} docs/s raw InsertBulk", productRate / rawRate, "≥ 0.5×", productRate / rawRate >= 0.5)
                {
                    Figures = new Dictionary<string, object> { ["slices"] = slices, ["productSeconds"] = product.TotalSeconds, ["rawSeconds"] = raw.TotalSeconds },
                },
                new PerfRow("P3-status", $"job status, {slices:N0} slices stored (GET /api/jobs/{{id}})", $"p99 {statusP99:0.00} ms", $"{StatusQueries} queries, p50 {Percentiles.Of(status, 50):0.00} ms", statusP99, "p99 ≤ 20 ms", statusP99 <= 20)
                {
                    Figures = new Dictionary<string, object> { ["p50Ms"] = Percentiles.Of(status, 50), ["p99Ms"] = statusP99, ["maxMs"] = status.Max() },
                },
                new PerfRow("P3-list", $"list of {listed:N0} jobs (GET /api/jobs)", $"p95 {listP95:0.0} ms", $"{ListQueries} queries, p50 {Percentiles.Of(list, 50):0.0} ms", listP95, "≤ 100 ms", listP95 <= 100 && listed == options.Jobs)
                {
                    Figures = new Dictionary<string, object> { ["jobs"] = listed, ["p50Ms"] = Percentiles.Of(list, 50), ["p95Ms"] = listP95, ["maxMs"] = list.Max() },
                },
            ];
        }
        finally
        {
            await (await factory.GetScheduler(cancellationToken)).Shutdown(waitForJobsToComplete: false, cancellationToken);
        }
    }

    private async Task WarmUpAsync(string path, int shops, int days, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddQuartz(new NameValueCollection { ["quartz.scheduler.instanceName"] = $"perf-warm-{Guid.NewGuid():N}" }, q => q.UseInMemoryStore())
            .BuildServiceProvider();
        var factory = services.GetRequiredService<ISchedulerFactory>();
        using var db = new BackfillDatabase(path);
        var store = new JobStore(db);
        var planner = new JobPlanner(store, new ReleaseTriggers(factory, _time), new EveryShop(), Options.Create(new Scheduling.BackfillOptions()), _time);
        var (job, _) = await planner.CreateAsync(new BackfillRequest(Platform, [.. Shops(shops)], From, From.AddDays(days)), cancellationToken);
        Status(job.Id, store, new PlatformBoard(_time));
        List(JobList.DefaultLimit, store, new PlatformBoard(_time));
        await (await factory.GetScheduler(cancellationToken)).Shutdown(waitForJobsToComplete: false, cancellationToken);
    }

    /// <summary>What <c>GET /api/jobs/{id}</c> reads and builds: the job, its totals (one read however many slices) and its platform's status.</summary>
    private static JobStatus Status(string id, JobStore store, PlatformBoard board)
    {
        var job = store.Job(id) ?? throw new InvalidOperationException($"No job '{id}'.");
        return JobStatus.Of(job, store.Totals(id)) with { Platforms = [board.Status(job.Platform)] };
    }

    /// <summary>What <c>GET /api/jobs</c> reads and builds for a page of <paramref name="limit"/> jobs, newest first.</summary>
    private static List<JobStatus> List(int limit, JobStore store, PlatformBoard board)
    {
        var shown = store.Jobs().Take(limit).ToList();
        var totals = store.Totals(shown);
        return [.. shown.Select(j => JobStatus.Of(j, totals[j.Id]) with { Platforms = [board.Status(j.Platform)] })];
    }

    private static IEnumerable<string> Shops(int count) => Enumerable.Range(0, count).Select(i => (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The BSON size of one of the product's slice documents as the planner makes them.</summary>
    private static int ProductDocumentSize(int shops, int days)
    {
        var mapper = BackfillMapper.Create();
        var slice = new SliceRecord
        {
            Id = SliceRecord.MakeId(JobId(), Shops(shops).Last(), From.AddDays(days - 1)),
            JobId = JobId(),
            Platform = Platform,
            Shop = Shops(shops).Last(),
            FirstDay = From,
            EndDay = From.AddDays(1),
            From = DateTimeOffset.UnixEpoch,
            To = DateTimeOffset.UnixEpoch.AddDays(1),
            State = SliceState.Pending,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        return BsonSerializer.Serialize(mapper.ToDocument(slice)).Length;
    }

    // As long as the planner's ids: platform-from-to-6 hex digits.
    private static string JobId() => $"{Platform}-{From:yyyyMMdd}-{From:yyyyMMdd}-abcdef";

    private TimeSpan RawInsert(string path, int shops, int days, int size)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var collection = db.GetCollection("slices");
        var job = JobId();
        BsonDocument Document(string shop, DateOnly day, string pad) => new() { ["_id"] = SliceRecord.MakeId(job, shop, day), ["pad"] = pad };

        var padding = new string('x', size - BsonSerializer.Serialize(Document(Shops(shops).Last(), From, "")).Length);
        IEnumerable<BsonDocument> Documents()
        {
            foreach (var day in Enumerable.Range(0, days).Select(From.AddDays))
            {
                foreach (var shop in Shops(shops))
                {
                    yield return Document(shop, day, padding);
                }
            }
        }

        // Through the same LogWriter as the product's commits, so both pay the same for LiteDB's log.
        var writer = LogWriter.Resolve(db, path);
        var started = _time.GetTimestamp();
        writer.Write(() =>
        {
            db.BeginTrans();
            collection.InsertBulk(Documents());
            return db.Commit();
        });
        return _time.GetElapsedTime(started);
    }

    private List<double> Latencies(int count, Action query)
    {
        query();
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = _time.GetTimestamp();
            query();
            latencies.Add(_time.GetElapsedTime(started).TotalMilliseconds);
        }

        return latencies;
    }

    private static void Say(string line) => Benchmarks.Progress.Line(line);

    /// <summary>The benchmark's shops are made up: every one is known.</summary>
    private sealed class EveryShop : IShopDirectory
    {
        public IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops) => [];

        public IReadOnlyList<string> Known(string platform) => [];

        public IReadOnlyList<(string Shop, Backfill.Core.Shops.ShopState State)> NotActive(string platform, IReadOnlyCollection<string> shops) => [];
    }
}
