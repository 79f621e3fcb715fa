using System.Text;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Storage.Records;
using LiteDB;

namespace Backfill.Storage.Tests;

public sealed class RecordStoreTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private RecordStore Sink => new(_temp.Db);

    internal static (Datasets, RecordDocument) Record(Datasets dataset, string shop, string id, DateTimeOffset created, string status = "COMPLETED", string job = "j", string? json = null)
    {
        var document = RecordDocument.Of(Encoding.UTF8.GetBytes(json ?? $$"""{"id":"{{id}}","status":"{{status}}"}"""));
        document.Id = RecordDocument.MakeId("shopee", shop, id);
        document.Platform = "shopee";
        document.Shop = shop;
        document.ShopKey = $"shopee:{shop}";
        document.RecordId = id;
        document.CreateTime = created.ToUnixTimeSeconds();
        document.UpdateTime = created.ToUnixTimeSeconds();
        document.JobId = job;
        document.SliceId = $"{job}/{shop}/20240501";
        return (dataset, document);
    }

    private static (Datasets, RecordDocument) Order(string shop, string sn, DateTimeOffset created, string status = "COMPLETED", string job = "j") =>
        Record(Datasets.Orders, shop, sn, created, status, job);

    private static string Status(RecordDocument record) => JsonDocument.Parse(record.JsonUtf8()).RootElement.GetProperty("status").GetString()!;

    [Fact]
    public void Upsert_SameOrderTwice_StoresOnceAndCountsTheDuplicate()
    {
        Assert.Equal(0, Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day)], Day));
        Assert.Equal(1, Sink.Upsert([Order("1", "A", Day, status: "SHIPPED")], Day));

        Assert.Equal(new SinkTotals(2, 3), Sink.Totals(Datasets.Orders));
        Assert.Equal(1, Sink.Totals(Datasets.Orders).DuplicatesAbsorbed);
        var stored = Sink.Find(Datasets.Orders, "shopee:1:A")!;
        Assert.Equal("SHIPPED", Status(stored));
        Assert.Equal(2, stored.Writes);
    }

    [Fact]
    public void Upsert_TheSameIdInTwoDatasets_AreTwoRecords_EachCountedInItsOwnTotals()
    {
        Assert.Equal(0, Sink.Upsert([Order("1", "A", Day), Record(Datasets.Finance, "1", "A", Day), Record(Datasets.Returns, "1", "R1", Day)], Day));
        Assert.Equal(1, Sink.Upsert([Record(Datasets.Finance, "1", "A", Day, status: "SETTLED")], Day));

        Assert.Equal(new SinkTotals(1, 1), Sink.Totals(Datasets.Orders));
        Assert.Equal(new SinkTotals(1, 2), Sink.Totals(Datasets.Finance));
        Assert.Equal(new SinkTotals(1, 1), Sink.Totals(Datasets.Returns));
        Assert.Equal("COMPLETED", Status(Sink.Find(Datasets.Orders, "shopee:1:A")!));
        Assert.Equal("SETTLED", Status(Sink.Find(Datasets.Finance, "shopee:1:A")!));
        Assert.Null(Sink.Find(Datasets.Orders, "shopee:1:R1"));
    }

    [Fact]
    public void Upsert_KeepsTheRecordsJsonWhole_AndGzipsALargeOne()
    {
        var large = $$"""{"order_sn":"B","item_list":[{{string.Join(',', Enumerable.Range(0, 400).Select(i => $$"""{"item_id":{{i}},"model_quantity_purchased":2}"""))}}]}""";
        Sink.Upsert([Record(Datasets.Orders, "1", "A", Day, json: """{"order_sn":"A","nested":{"x":[1,2.50,"é"]}}"""), Record(Datasets.Orders, "1", "B", Day, json: large)], Day);

        var small = Sink.Find(Datasets.Orders, "shopee:1:A")!;
        var big = Sink.Find(Datasets.Orders, "shopee:1:B")!;
        Assert.Equal("""{"order_sn":"A","nested":{"x":[1,2.50,"é"]}}""", Encoding.UTF8.GetString(small.JsonUtf8()));
        Assert.Null(small.JsonGzip);
        Assert.Null(big.Json);
        Assert.True(big.JsonGzip!.Length < large.Length / 4, $"{big.JsonGzip.Length} bytes gzipped of {large.Length}");
        Assert.Equal(large, Encoding.UTF8.GetString(big.JsonUtf8()));
    }

    [Fact]
    public void Upsert_RemembersTheJobsThatDeliveredARecord_MostRecentLast_AtMostSixteen()
    {
        Sink.Upsert([Order("1", "A", Day, job: "j1")], Day);
        Sink.Upsert([Order("1", "A", Day, job: "j2"), Order("1", "A", Day, job: "j1")], Day);

        var stored = Sink.Find(Datasets.Orders, "shopee:1:A")!;
        Assert.Equal(["j2", "j1"], stored.Jobs);
        Assert.Equal(("j1", 3), (stored.JobId, stored.Writes));

        foreach (var n in Enumerable.Range(0, 20))
        {
            Sink.Upsert([Order("1", "A", Day, job: $"k{n}")], Day);
        }

        Assert.Equal(Enumerable.Range(4, 16).Select(n => $"k{n}"), Sink.Find(Datasets.Orders, "shopee:1:A")!.Jobs);
        Assert.Empty(Sink.OfJob(Datasets.Orders, "j1"));
        Assert.Single(Sink.OfJob(Datasets.Orders, "k19"));
    }

    [Fact]
    public void OfJob_ListsTheRecordsOfOneDatasetTheJobDelivered_ById()
    {
        Sink.Upsert([Order("1", "C", Day, job: "j1"), Order("2", "A", Day, job: "j1"), Order("1", "B", Day, job: "j2"), Record(Datasets.Finance, "1", "C", Day, job: "j1")], Day);
        Sink.Upsert([Order("1", "B", Day, job: "j1")], Day);

        Assert.Equal(["shopee:1:B", "shopee:1:C", "shopee:2:A"], Sink.OfJob(Datasets.Orders, "j1").Select(r => r.Id));
        Assert.Equal(["shopee:1:B"], Sink.OfJob(Datasets.Orders, "j2").Select(r => r.Id));
        Assert.Equal(["shopee:1:C"], Sink.OfJob(Datasets.Finance, "j1").Select(r => r.Id));
        Assert.Equal(3, Sink.CountOfJob(Datasets.Orders, "j1"));
        Assert.Empty(Sink.OfJob(Datasets.Returns, "j1"));
        Assert.Empty(Sink.OfJob(Datasets.Orders, "J1"));
        Assert.Empty(Sink.OfJob(Datasets.Orders, "j"));

        // Read as a range of the job/id index, not a scan of every record.
        var plan = _temp.Db.Records(Datasets.Orders).Query().Where(RecordStore.DeliveredBy("j1")).GetPlan();
        Assert.Equal(RecordDocument.JobsIndexName, plan["index"]["name"].AsString);
    }

    [Fact]
    public void Upsert_CountsEachJobsSavedRecords_PerDataset_RepeatsIncluded_InItsTotals()
    {
        var jobs = new JobStore(_temp.Db);
        foreach (var id in (string[])["j1", "j2"])
        {
            jobs.Create(new Core.Jobs.JobRecord { Id = id, Platform = "shopee", Shops = ["1"] }, [], new Core.Jobs.Transition(id, "", "Running", Day, "test"));
        }

        Sink.Upsert([Order("1", "A", Day, job: "j1"), Order("1", "B", Day, job: "j1"), Order("1", "C", Day, job: "j2"), Record(Datasets.Finance, "1", "A", Day, job: "j1")], Day);
        Sink.Upsert([Order("1", "A", Day, job: "j1"), Order("1", "D", Day, job: "gone")], Day);

        Assert.Equal((4L, 1L), (jobs.Totals("j1").Saved, jobs.Totals("j2").Saved));
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 3, ["finance"] = 1 }, jobs.Totals("j1").SavedByData);
    }

    [Fact]
    public void OfShop_ListsThatShopsRecordsById()
    {
        Sink.Upsert([Order("1", "B", Day), Order("2", "A", Day), Order("1", "A", Day)], Day);

        Assert.Equal(["shopee:1:A", "shopee:1:B"], Sink.OfShop(Datasets.Orders, "shopee", "1").Select(o => o.Id));
    }

    [Fact]
    public void Upsert_SameOrderTwiceInOneBatch_LastDeliveryWins_AndCountsTwoWrites()
    {
        Sink.Upsert([Order("1", "A", Day)], Day);

        Assert.Equal(3, Sink.Upsert([Order("1", "A", Day, status: "SHIPPED"), Order("1", "B", Day), Order("1", "B", Day, status: "CANCELLED"), Order("1", "A", Day, status: "DONE")], Day));

        Assert.Equal(new SinkTotals(2, 5), Sink.Totals(Datasets.Orders));
        Assert.Equal(("DONE", 3), (Status(Sink.Find(Datasets.Orders, "shopee:1:A")!), Sink.Find(Datasets.Orders, "shopee:1:A")!.Writes));
        Assert.Equal(("CANCELLED", 2), (Status(Sink.Find(Datasets.Orders, "shopee:1:B")!), Sink.Find(Datasets.Orders, "shopee:1:B")!.Writes));
    }

    [Fact]
    public void Count_IsHalfOpenOnTheTimeRange()
    {
        Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day.AddDays(1).AddSeconds(-1)), Order("1", "C", Day.AddDays(1)), Order("2", "D", Day)], Day);

        Assert.Equal(2, Sink.Count(Datasets.Orders, "shopee", ["1"], Day, Day.AddDays(1)));
        Assert.Equal(3, Sink.Count(Datasets.Orders, "shopee", ["1", "2"], Day, Day.AddDays(1)));
        Assert.Equal(0, Sink.Count(Datasets.Orders, "lazada", ["1"], Day, Day.AddDays(1)));
        Assert.Equal(0, Sink.Count(Datasets.Finance, "shopee", ["1"], Day, Day.AddDays(1)));
    }

    [Fact]
    public void Totals_AreCountersKeptWithTheUpserts_NotAScanOfTheRecords()
    {
        Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day), Order("1", "A", Day)], Day);
        Sink.Upsert([Order("1", "B", Day), Order("2", "C", Day)], Day);

        // The records go, bypassing the sink: the totals are what the sink did, kept beside them, not read from them.
        _temp.Db.Records(Datasets.Orders).DeleteAll();

        Assert.Equal(new SinkTotals(3, 5), Sink.Totals(Datasets.Orders));
    }

    [Fact]
    public void Open_AFileOfVersion2_TurnsItsOrdersIntoRecords_AndKeepsItsTotalsAsTheOrders()
    {
        var jobs = new JobStore(_temp.Db);
        jobs.Create(new Core.Jobs.JobRecord { Id = "j1", Platform = "shopee", Shops = ["1"] }, [new Core.Jobs.SliceRecord { Id = "j1/1/20240501", JobId = "j1", Orders = 3, Calls = 4 }], new Core.Jobs.Transition("j1", "", "Running", Day, "test"));
        var raw = _temp.Db.Database;
        raw.DropCollection("orders");
        raw.GetCollection<LegacyOrder>("orders").InsertBulk([LegacyOrder.Of("A", writes: 2, job: "j1"), LegacyOrder.Of("B", status: "CANCELLED", writes: 1, job: "j1")]);
        raw.GetCollection("orders").EnsureIndex("JobId", "$.JobId");
        var sinkTotals = raw.GetCollection("sink_totals");
        sinkTotals.DeleteAll();
        sinkTotals.Insert(new BsonDocument { ["_id"] = "sink", ["Unique"] = 2L, ["Writes"] = 3L });
        var totals = raw.GetCollection("job_totals");
        var j1 = totals.FindById("j1");
        foreach (var member in (string[])["Records", "Calls", "SavedByData"])
        {
            j1.Remove(member);
        }

        j1["Saved"] = 3L;
        totals.Update(j1);
        raw.UserVersion = 2;

        _temp.Reopen();

        Assert.Equal(BackfillDatabase.Version, _temp.Db.Database.UserVersion);
        Assert.Equal(new SinkTotals(2, 3), Sink.Totals(Datasets.Orders));
        Assert.Equal(new SinkTotals(0, 0), Sink.Totals(Datasets.Finance));
        var a = Sink.Find(Datasets.Orders, "shopee:1:A")!;
        Assert.Equal(("A", 2, 1_714_521_600L), (a.RecordId, a.Writes, a.CreateTime));
        Assert.Equal(["j1"], a.Jobs);
        var json = JsonDocument.Parse(a.JsonUtf8()).RootElement;
        Assert.Equal(("A", "COMPLETED", 12.5m, "TWD", 1_714_525_200L), (json.GetProperty("order_sn").GetString(), json.GetProperty("order_status").GetString(), json.GetProperty("total_amount").GetDecimal(), json.GetProperty("currency").GetString(), json.GetProperty("update_time").GetInt64()));
        Assert.Equal(["shopee:1:A", "shopee:1:B"], Sink.OfJob(Datasets.Orders, "j1").Select(r => r.Id));
        Assert.DoesNotContain(_temp.Db.Database.GetCollection("$indexes").FindAll(), i => i["collection"] == "orders" && i["name"] == "JobId");
        var kept = new JobStore(_temp.Db).Totals("j1");
        Assert.Equal(3L, kept.Saved);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 3 }, kept.SavedByData);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 3 }, kept.Records);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 4 }, kept.Calls);

        // The sink goes on from there: a record of the same order is a repeat.
        Assert.Equal(1, Sink.Upsert([Order("1", "A", Day, job: "j2")], Day));
        Assert.Equal(new SinkTotals(2, 4), Sink.Totals(Datasets.Orders));
        Assert.Equal(["j1", "j2"], Sink.Find(Datasets.Orders, "shopee:1:A")!.Jobs);
    }

    [Fact]
    public void Totals_EmptySink_IsZero() => Assert.All(Sink.Totals().Values, t => Assert.Equal(new SinkTotals(0, 0), t));

    [Fact]
    public void Lost_RangesAreKeptOnceEach_AcrossAReopen()
    {
        Sink.Lost(new LostRange("orders", 1, 0, 99), Day);
        Sink.Lost(new LostRange("orders", 0, 10, 19), Day.AddSeconds(1));
        Sink.Lost(new LostRange("orders", 1, 0, 99), Day.AddSeconds(2));

        _temp.Reopen();

        Assert.Equal([new LostRange("orders", 1, 0, 99), new LostRange("orders", 0, 10, 19)], Sink.Lost());
    }

    public void Dispose() => _temp.Dispose();
}
