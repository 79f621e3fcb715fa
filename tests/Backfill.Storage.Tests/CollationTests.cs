using System.Globalization;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Storage.Records;
using LiteDB;

namespace Backfill.Storage.Tests;

/// <summary>
/// Ids are compared as written: LiteDB's default collation ignores case (and follows the culture), so two order ids
/// that differ by case were one document and a job could find another job's slices. The file compares ordinally.
/// </summary>
public sealed class CollationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private JobStore Store => new(_temp.Db);

    private RecordStore Sink => new(_temp.Db);

    [Fact]
    public void Upsert_TwoOrderIdsDifferingOnlyByCase_InOneBatch_AreTwoOrders()
    {
        Assert.Equal(0, Sink.Upsert([Order("AbC"), Order("abc")], Now));

        Assert.Equal("AbC", Sink.Find(Datasets.Orders, "shopee:1:AbC")!.RecordId);
        Assert.Equal("abc", Sink.Find(Datasets.Orders, "shopee:1:abc")!.RecordId);
        Assert.Equal(new SinkTotals(2, 2), Sink.Totals(Datasets.Orders));
    }

    [Fact]
    public void Upsert_AnOrderIdDifferingOnlyByCaseFromAStoredOne_IsANewOrder_AndLeavesTheStoredOneAlone()
    {
        Sink.Upsert([Order("AbC", status: "COMPLETED")], Now);

        Assert.Equal(0, Sink.Upsert([Order("abc", status: "CANCELLED")], Now));

        Assert.Equal(("AbC", "COMPLETED", 1), Fields(Sink.Find(Datasets.Orders, "shopee:1:AbC")!));
        Assert.Equal(("abc", "CANCELLED", 1), Fields(Sink.Find(Datasets.Orders, "shopee:1:abc")!));
        Assert.Equal(2, Sink.OfShop(Datasets.Orders, "shopee", "1").Count);
    }

    [Fact]
    public void Jobs_WhoseIdsDifferOnlyByCase_AreTwoJobs_EachSeeingOnlyItsOwnSlices()
    {
        CreateJob("Nightly-1", days: 3);
        CreateJob("nightly-1", days: 2);
        var slice = Store.Slice("nightly-1/1/20240501")!;
        Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));

        Assert.Equal("Nightly-1", Store.Job("Nightly-1")!.Id);
        Assert.Equal(2, Store.Slices("nightly-1").Count);
        Assert.All(Store.Slices("nightly-1"), s => Assert.Equal("nightly-1", s.JobId));
        Assert.Equal(["nightly-1/1/20240502"], Store.Slices("nightly-1", SliceState.Pending, limit: 5).Select(s => s.Id));
        Assert.Equal(3, Store.Slices("Nightly-1", SliceState.Pending, limit: 5).Count);
        Assert.Equal(1, Store.Count("nightly-1", SliceState.Pending));
        Assert.Equal(new SliceCounts(3, 0, 0, 0, 0, 0), Store.Counts("Nightly-1"));
        Assert.Equal(["created"], Store.History("Nightly-1").Select(e => e.Reason));
    }

    [Fact]
    public void Slices_WithALimit_AreTheJobsOwn_WhenAnotherJobsKeysComeFirstInTheIndex()
    {
        // 'X' < '_' in ordinal order: pX1's slices sort before p_1's, and a LIKE 'p_1|…' would match them too.
        CreateJob("pX1", days: 4);
        CreateJob("p_1", days: 2);

        var pending = Store.Slices("p_1", SliceState.Pending, limit: 2);

        Assert.Equal(["p_1/1/20240501", "p_1/1/20240502"], pending.Select(s => s.Id));
    }

    [Fact]
    public void Open_AFileWithLiteDbsDefaultCollation_IsCopiedIntoAnOrdinalOne_AndKeepsItsData()
    {
        var path = _temp.Db.Path;
        _temp.Db.Dispose();
        File.Delete(path);
        using (var old = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }, BackfillMapper.Create()))
        {
            // As version 1 left a file: LiteDB's default collation, the same collections and indexes.
            Assert.Equal(CompareOptions.IgnoreCase, old.Collation.SortOptions);
            var job = new JobRecord { Id = "j1", Platform = "shopee", Shops = ["1"], State = JobState.Running, CreatedAt = Now };
            old.GetCollection<JobRecord>("jobs").Insert(job);
            var slices = old.GetCollection<SliceRecord>("slices");
            slices.EnsureIndex(BackfillDatabase.JobStateDayIndex, BackfillDatabase.JobStateDayExpression);
            slices.InsertBulk(Enumerable.Range(1, 3).Select(d => new SliceRecord { Id = $"j1/1/2024050{d}", JobId = "j1", Platform = "shopee", Shop = "1", FirstDay = new DateOnly(2024, 5, d), EndDay = new DateOnly(2024, 5, d + 1) }));
            old.GetCollection<JobTotalsDocument>("job_totals").Insert(new JobTotalsDocument { Id = "j1", States = [3, 0, 0, 0, 0, 0] });
            var orders = old.GetCollection<LegacyOrder>("orders");
            orders.EnsureIndex(o => o.ShopKey);
            orders.InsertBulk([LegacyOrder.Of("A", writes: 2), LegacyOrder.Of("b", writes: 1)]);

            // More than 2,550 documents under a secondary index: LiteDB 5.0.20's own Rebuild fails on such a collection.
            var events = old.GetCollection<TransitionDocument>("events");
            events.EnsureIndex(e => e.Subject);
            events.InsertBulk(Enumerable.Range(0, 3_000).Select(i => new TransitionDocument { Subject = $"j1/1/2024050{1 + (i % 3)}", From = "Pending", To = "Released", At = Now, Reason = $"r{i}" }));
            old.UserVersion = 1;
        }

        // What a copy stopped half way leaves: it is made again.
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "backfill-ordinal.db"), "half a copy");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "backfill-ordinal-log.db"), "half a log");

        _temp.Reopen();

        Assert.Equal(CompareOptions.Ordinal, _temp.Db.Database.Collation.SortOptions);
        Assert.Equal(BackfillDatabase.Version, _temp.Db.Database.UserVersion);
        Assert.Equal(["j1/1/20240501", "j1/1/20240502", "j1/1/20240503"], Store.Slices("j1", SliceState.Pending, limit: 10).Select(s => s.Id));
        Assert.Equal(new SinkTotals(2, 3), Sink.Totals(Datasets.Orders));
        Assert.Equal(0, Sink.Upsert([Order("a")], Now));
        Assert.Equal(new SinkTotals(3, 4), Sink.Totals(Datasets.Orders));
        Assert.Equal(1_000, Store.History("j1/1/20240502").Count);
        Assert.Equal(["backfill-log.db", "backfill.db"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Commits still go through the log writer of the rebuilt file, and are there after reopening.
        CreateJob("j2", days: 2);
        _temp.Reopen();
        Assert.Equal(2, Store.Slices("j2").Count);
        Assert.Equal(CompareOptions.Ordinal, _temp.Db.Database.Collation.SortOptions);
    }

    [Fact]
    public void Open_ANewFile_ComparesOrdinally() =>
        Assert.Equal(CompareOptions.Ordinal, _temp.Db.Database.Collation.SortOptions);

    public void Dispose() => _temp.Dispose();

    private static (string, string, int) Fields(RecordDocument order) =>
        (order.RecordId, System.Text.Json.JsonDocument.Parse(order.JsonUtf8()).RootElement.GetProperty("status").GetString()!, order.Writes);

    private static (Datasets, RecordDocument) Order(string sn, string status = "COMPLETED") =>
        RecordStoreTests.Record(Datasets.Orders, "1", sn, Now, status);

    private void CreateJob(string id, int days)
    {
        var job = new JobRecord { Id = id, Platform = "shopee", Shops = ["1"], FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 1).AddDays(days), State = JobState.Running, CreatedAt = Now };
        var slices = Enumerable.Range(0, days).Select(d => job.FirstDay.AddDays(d))
            .Select(day => new SliceRecord { Id = SliceRecord.MakeId(id, "1", day), JobId = id, Platform = "shopee", Shop = "1", FirstDay = day, EndDay = day.AddDays(1) })
            .ToList();
        Store.Create(job, slices, new Transition(id, "", "Running", Now, "created"));
    }
}
