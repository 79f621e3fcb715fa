namespace Backfill.Storage.Tests;

public sealed class OrderStoreTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private OrderStore Sink => new(_temp.Db);

    private static OrderDocument Order(string shop, string sn, DateTimeOffset created, string status = "COMPLETED") => new()
    {
        Id = OrderDocument.MakeId("shopee", shop, sn), Platform = "shopee", Shop = shop, ShopKey = $"shopee:{shop}", OrderSn = sn,
        Status = status, CreateTime = created.ToUnixTimeSeconds(), UpdateTime = created.ToUnixTimeSeconds(), TotalAmount = 12.5m, Currency = "TWD",
    };

    [Fact]
    public void Upsert_SameOrderTwice_StoresOnceAndCountsTheDuplicate()
    {
        Assert.Equal(0, Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day)], Day));
        Assert.Equal(1, Sink.Upsert([Order("1", "A", Day, status: "SHIPPED")], Day));

        Assert.Equal(new SinkTotals(2, 3), Sink.Totals());
        Assert.Equal(1, Sink.Totals().DuplicatesAbsorbed);
        var stored = Sink.Find("shopee:1:A")!;
        Assert.Equal("SHIPPED", stored.Status);
        Assert.Equal(2, stored.Writes);
    }

    [Fact]
    public void Upsert_CountsEachJobsSavedOrders_RepeatsIncluded_InItsTotals()
    {
        var jobs = new JobStore(_temp.Db);
        foreach (var id in (string[])["j1", "j2"])
        {
            jobs.Create(new Core.Jobs.JobRecord { Id = id, Platform = "shopee", Shops = ["1"] }, [], new Core.Jobs.Transition(id, "", "Running", Day, "test"));
        }

        Sink.Upsert([Of("j1", Order("1", "A", Day)), Of("j1", Order("1", "B", Day)), Of("j2", Order("1", "C", Day))], Day);
        Sink.Upsert([Of("j1", Order("1", "A", Day)), Of("gone", Order("1", "D", Day))], Day);

        Assert.Equal((3L, 1L), (jobs.Totals("j1").Saved, jobs.Totals("j2").Saved));

        static OrderDocument Of(string job, OrderDocument order)
        {
            order.JobId = job;
            return order;
        }
    }

    [Fact]
    public void OfShop_ListsThatShopsOrdersById()
    {
        Sink.Upsert([Order("1", "B", Day), Order("2", "A", Day), Order("1", "A", Day)], Day);

        Assert.Equal(["shopee:1:A", "shopee:1:B"], Sink.OfShop("shopee", "1").Select(o => o.Id));
    }

    [Fact]
    public void Upsert_SameOrderTwiceInOneBatch_LastDeliveryWins_AndCountsTwoWrites()
    {
        Sink.Upsert([Order("1", "A", Day)], Day);

        Assert.Equal(3, Sink.Upsert([Order("1", "A", Day, status: "SHIPPED"), Order("1", "B", Day), Order("1", "B", Day, status: "CANCELLED"), Order("1", "A", Day, status: "DONE")], Day));

        Assert.Equal(new SinkTotals(2, 5), Sink.Totals());
        Assert.Equal(("DONE", 3), (Sink.Find("shopee:1:A")!.Status, Sink.Find("shopee:1:A")!.Writes));
        Assert.Equal(("CANCELLED", 2), (Sink.Find("shopee:1:B")!.Status, Sink.Find("shopee:1:B")!.Writes));
    }

    [Fact]
    public void Upsert_SameOrderSnInTwoShops_AreTwoOrders()
    {
        Sink.Upsert([Order("1", "A", Day), Order("2", "A", Day)], Day);

        Assert.Equal(2, Sink.Totals().Unique);
    }

    [Fact]
    public void Count_IsHalfOpenOnTheTimeRange()
    {
        Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day.AddDays(1).AddSeconds(-1)), Order("1", "C", Day.AddDays(1)), Order("2", "D", Day)], Day);

        Assert.Equal(2, Sink.Count("shopee", ["1"], Day, Day.AddDays(1)));
        Assert.Equal(3, Sink.Count("shopee", ["1", "2"], Day, Day.AddDays(1)));
        Assert.Equal(0, Sink.Count("lazada", ["1"], Day, Day.AddDays(1)));
    }

    [Fact]
    public void Totals_AreCountersKeptWithTheUpserts_NotAScanOfTheOrders()
    {
        Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day), Order("1", "A", Day)], Day);
        Sink.Upsert([Order("1", "B", Day), Order("2", "C", Day)], Day);

        // The orders go, bypassing the sink: the totals are what the sink did, kept beside them, not read from them.
        _temp.Db.Orders.DeleteAll();

        Assert.Equal(new SinkTotals(3, 5), Sink.Totals());
    }

    [Fact]
    public void Totals_OfAFileFromBeforeTheyWereKept_AreCountedOnceWhenItIsOpened()
    {
        Sink.Upsert([Order("1", "A", Day), Order("1", "B", Day), Order("1", "A", Day)], Day);
        _temp.Db.Database.DropCollection("sink_totals");
        _temp.Db.Database.UserVersion = 1;

        _temp.Reopen();
        Assert.Equal(new SinkTotals(2, 3), Sink.Totals());

        Sink.Upsert([Order("1", "B", Day), Order("2", "C", Day)], Day);
        Assert.Equal(new SinkTotals(3, 5), Sink.Totals());
    }

    [Fact]
    public void Totals_EmptySink_IsZero() => Assert.Equal(new SinkTotals(0, 0), Sink.Totals());

    public void Dispose() => _temp.Dispose();
}
