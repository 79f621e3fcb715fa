using System.Globalization;
using Backfill.Core.Data;
using Backfill.Simulators;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>
/// The one job of a run, sized from the simulator's deterministic catalog: enough shop-days that the platform sees
/// at least the wanted number of calls, with the orders it must end with known in advance.
/// </summary>
/// <param name="ExpectedCalls">Calls the Shopee adapter makes for the job without a throttle: per day slice one list call per page, one detail call per 50 orders (orders), one escrow call per order (finance).</param>
/// <param name="ExpectedOrders">Orders whose time range field falls in the job's range, for its shops.</param>
internal sealed record JobPlan(IReadOnlyList<string> Shops, DateOnly From, DateOnly To, string TimeRangeField, int Seed, long ExpectedCalls, long ExpectedOrders, Datasets Data = Datasets.Orders)
{
    /// <summary>A fixed first day, so every run backfills the same orders.</summary>
    public static readonly DateOnly FirstDay = new(2025, 3, 1);

    private const int DetailBatch = 50;

    public int Days => To.DayNumber - From.DayNumber;

    public int Slices => Days * Shops.Count;

    public DateTimeOffset FromUtc => Utc(From);

    public DateTimeOffset ToUtc => Utc(To);

    /// <summary>Days are added until <paramref name="shops"/> shops together need at least <paramref name="calls"/> calls.</summary>
    /// <exception cref="ArgumentException">Returns: the plan does not count the return list's calls.</exception>
    public static JobPlan For(long calls, int shops, int pageSize, string timeRangeField, int seed, Datasets data = Datasets.Orders)
    {
        if (data.HasFlag(Datasets.Returns) || data == Datasets.None)
        {
            throw new ArgumentException($"A benchmark job pulls orders and/or finance, not '{DatasetNames.Format(data)}'.", nameof(data));
        }

        var catalog = new OrderCatalog(seed);
        var shopIds = ShopIds(1, shops);
        long totalCalls = 0, totalOrders = 0;
        var day = FirstDay;
        while (totalCalls < calls || day == FirstDay)
        {
            foreach (var shop in shopIds)
            {
                var orders = OrdersIn(catalog, shop, day, timeRangeField);
                totalOrders += orders;
                totalCalls += CallsFor(orders, pageSize, data);
            }

            day = day.AddDays(1);
        }

        return new JobPlan(shopIds, FirstDay, day, timeRangeField, seed, totalCalls, totalOrders, data);
    }

    /// <summary>The job of <paramref name="shops"/> over <paramref name="days"/> days from <paramref name="from"/>, with what it will call and save.</summary>
    public static JobPlan Fixed(IReadOnlyList<string> shops, DateOnly from, int days, int pageSize, string timeRangeField, int seed)
    {
        var catalog = new OrderCatalog(seed);
        var orders = shops.SelectMany(shop => Enumerable.Range(0, days).Select(d => OrdersIn(catalog, shop, from.AddDays(d), timeRangeField))).ToList();
        return new JobPlan(shops, from, from.AddDays(days), timeRangeField, seed, orders.Sum(o => CallsFor(o, pageSize)), orders.Sum());
    }

    /// <summary>Shop ids of the benchmark's catalog: 30001, 30002, …</summary>
    public static IReadOnlyList<string> ShopIds(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => (30_000 + i).ToString(CultureInfo.InvariantCulture))];

    /// <summary>Orders of one shop's day slice.</summary>
    public long ExpectedOn(string shop, DateOnly day) => OrdersIn(new OrderCatalog(Seed), shop, day, TimeRangeField);

    /// <summary>The order numbers of one shop's day slice, with their time range field in unix seconds.</summary>
    public IEnumerable<(string OrderSn, long Time)> OrdersOn(string shop, DateOnly day)
    {
        var from = Utc(day).ToUnixTimeSeconds();
        return new OrderCatalog(Seed).Between(shop, TimeRangeField, from, from + 86_399).Select(o => (o.OrderSn, o.TimeOf(TimeRangeField)));
    }

    public static DateTimeOffset Utc(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>List pages of <paramref name="pageSize"/> (one even when empty), each followed by its detail batches (orders) and an escrow call per order (finance).</summary>
    public static long CallsFor(long orders, int pageSize, Datasets data = Datasets.Orders)
    {
        var fullPages = orders / pageSize;
        var rest = orders % pageSize;
        var pages = Math.Max(1, fullPages + (rest > 0 ? 1 : 0));
        var details = data.HasFlag(Datasets.Orders) ? (fullPages * Ceiling(pageSize, DetailBatch)) + Ceiling(rest, DetailBatch) : 0;
        var escrows = data.HasFlag(Datasets.Finance) ? orders : 0;
        return pages + details + escrows;
    }

    private static long OrdersIn(OrderCatalog catalog, string shop, DateOnly day, string timeRangeField)
    {
        // The adapter asks for [from, to − 1 s] in whole seconds, as the simulator's own expectation does.
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        return catalog.Between(shop, timeRangeField, from, from + 86_399).Count;
    }

    private static long Ceiling(long value, long divisor) => (value + divisor - 1) / divisor;
}
