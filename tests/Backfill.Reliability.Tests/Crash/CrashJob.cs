using System.Globalization;
using Backfill.Core.Data;
using Backfill.Simulators;
using Backfill.Storage;
using Backfill.Storage.Records;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>The one job of a crash scenario: its shops and days, and the orders the simulator holds for them.</summary>
internal sealed record CrashJob(IReadOnlyList<string> Shops, DateOnly From, DateOnly To, long ExpectedOrders)
{
    public int Slices => Shops.Count * (To.DayNumber - From.DayNumber);

    public DateTimeOffset FromUtc => new(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset ToUtc => new(To.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// Orders created in the range per the simulator's catalogue: a simulator of this process with the same (default)
    /// seed as the <c>platform-sim</c> process answers <see cref="PlatformSimulator.ExpectedOrders(string, DateTimeOffset, DateTimeOffset)"/>.
    /// </summary>
    public static async Task<CrashJob> ForAsync(int shops, DateOnly from, int days)
    {
        var ids = Enumerable.Range(1, shops).Select(i => (40_000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
        await using var catalogue = await PlatformSimulator.StartAsync(new SimulatorOptions { PermitsPerSecond = 0 });
        var job = new CrashJob(ids, from, from.AddDays(days), 0);
        return job with { ExpectedOrders = ids.Sum(s => catalogue.ExpectedOrders(s, job.FromUtc, job.ToUtc)) };
    }

    /// <summary>The body of <c>POST /api/jobs</c>.</summary>
    public object Body(TimeSpan releaseEvery, int slicesPerRelease) => new
    {
        platform = ProcessFleet.Platform,
        shops = Shops,
        from = From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        to = To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        releaseEvery = releaseEvery.ToString("c", CultureInfo.InvariantCulture),
        slicesPerRelease,
    };

    /// <summary>Unique orders of the job's shops and days in serve's LiteDB sink, and the repeats it absorbed.</summary>
    public (long Unique, long Duplicates) Sink(string databasePath)
    {
        using var db = new BackfillDatabase(databasePath);
        var orders = new RecordStore(db);
        return (orders.Count(Datasets.Orders, ProcessFleet.Platform, Shops, FromUtc, ToUtc), orders.Totals(Datasets.Orders).DuplicatesAbsorbed);
    }
}
