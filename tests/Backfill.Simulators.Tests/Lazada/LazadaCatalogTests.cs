using Backfill.Simulators.Lazada;

namespace Backfill.Simulators.Tests.Lazada;

public sealed class LazadaCatalogTests
{
    private const string Seller = "seller-a";
    private static readonly TimeSpan Plus8 = TimeSpan.FromHours(8);
    private readonly LazadaCatalog _catalog = new(42, new Dictionary<string, int> { [Seller] = 30 });

    /// <summary>The first day of August 2026 with more orders than the offset cap lets one window read.</summary>
    private DateOnly BusyDay() =>
        Enumerable.Range(0, 60).Select(d => new DateOnly(2026, 8, 1).AddDays(d)).First(day => _catalog.CountOn(Seller, day) > 5_100);

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Plus8);

    [Fact]
    public void Ids_AreAbove2Pow53_SoADoubleCannotHoldThem()
    {
        var orders = _catalog.OrdersOn(Seller, BusyDay());

        Assert.All(orders, o => Assert.True(o.OrderId > (1L << 53)));
        Assert.Contains(orders, o => (long)(double)o.OrderId != o.OrderId);
        Assert.Equal(orders.Count, orders.Select(o => o.OrderId).Distinct().Count());
    }

    [Fact]
    public void Find_ById_GivesTheSameOrder_AndNothingForAnotherSeller()
    {
        var order = _catalog.OrdersOn(Seller, BusyDay())[1234];

        Assert.Equal(order, _catalog.Find(Seller, order.OrderId));
        Assert.Null(_catalog.Find("seller-b", order.OrderId));
        Assert.Null(_catalog.Find(Seller, 42));
    }

    [Fact]
    public void BusyDay_HasMoreThanAPageOfOrdersInOneSecond()
    {
        var biggestSecond = _catalog.OrdersOn(Seller, BusyDay()).GroupBy(o => o.CreatedAt).Max(g => g.Count());

        Assert.InRange(biggestSecond, 101, 5_000);
    }

    [Fact]
    public void OrdersOn_AreSortedByCreatedThenId_InsideTheLocalDay()
    {
        var day = BusyDay();
        var orders = _catalog.OrdersOn(Seller, day);

        Assert.Equal(orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.OrderId), orders);
        Assert.All(orders, o => Assert.InRange(o.Created, Start(day), Start(day).AddDays(1).AddTicks(-1)));
    }

    [Fact]
    public void Page_PastTheCap_ContinuingFromTheLastCreatedAtAndDroppingRepeats_GivesEveryOrderOnce()
    {
        var day = BusyDay();
        var from = Start(day);
        var to = from.AddDays(1);
        var read = new List<long>();
        var seen = new HashSet<long>();
        var after = from;
        var offset = 0;
        long? total = null;
        while (true)
        {
            var (page, countTotal) = _catalog.Page(Seller, after, to, offset, 100, ascending: true);
            total ??= countTotal;
            read.AddRange(page.Select(o => o.OrderId).Where(seen.Add));
            if (page.Count < 100)
            {
                break;
            }

            offset += 100;
            if (offset > LazadaParams.MaxOffset)
            {
                after = page[^1].Created;
                offset = 0;
            }
        }

        Assert.Equal(_catalog.Between(Seller, from, to).Select(o => o.OrderId), read);
        Assert.Equal(_catalog.CountOn(Seller, day), total);
        Assert.True(total > 5_100);
    }

    [Fact]
    public void Page_Descending_IsTheAscendingOrderReversed_AcrossDays()
    {
        var from = Start(BusyDay()).AddHours(-30);
        var to = from.AddHours(50);
        var all = _catalog.Between(Seller, from, to);

        var (firstDescending, total) = _catalog.Page(Seller, from, to, 0, 100, ascending: false);
        var (secondAscending, _) = _catalog.Page(Seller, from, to, 100, 100, ascending: true);

        Assert.Equal(all.Count, total);
        Assert.Equal(all.Reverse().Take(100), firstDescending);
        Assert.Equal(all.Skip(100).Take(100), secondAscending);
    }

    [Fact]
    public void Items_AreTheSameEveryTime_AndPaidNoMoreThanListed()
    {
        var order = _catalog.OrdersOn(Seller, BusyDay())[7];

        var items = _catalog.Items(Seller, order);

        Assert.Equal(items, _catalog.Items(Seller, order));
        Assert.InRange(items.Count, 1, 4);
        Assert.All(items, i => Assert.True(i.PaidPrice <= i.ItemPrice && i.OrderItemId > (1L << 53)));
    }
}
