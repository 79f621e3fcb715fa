
namespace Backfill.Simulators.Tests;

public sealed class OrderCatalogTests
{
    private static readonly DateOnly Start = new(2024, 1, 1);
    private static readonly IReadOnlyList<DateOnly> SixtyDays = [.. Enumerable.Range(0, 60).Select(Start.AddDays)];

    [Fact]
    public void Counts_AreTheSameInEveryInstanceForTheSameSeed()
    {
        var first = SixtyDays.Select(d => new OrderCatalog(42).CountOn("10001", d)).ToList();
        var second = SixtyDays.Select(d => new OrderCatalog(42).CountOn("10001", d)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Counts_OverSixtyDays_IncludeEmptyDaysAndDaysOverTwoHundred()
    {
        var catalog = new OrderCatalog(42);

        var counts = SixtyDays.Select(d => catalog.CountOn("10001", d)).ToList();

        Assert.Contains(0, counts);
        Assert.Contains(counts, c => c > 200);
        Assert.All(counts, c => Assert.True(c == 0 || c is >= 5 and <= 150 || c is >= 200 and <= 320, $"count {c}"));
    }

    [Fact]
    public void Counts_DifferBySeedAndByShop()
    {
        var counts = (int seed, string shop) => SixtyDays.Select(d => new OrderCatalog(seed).CountOn(shop, d)).ToList();

        Assert.NotEqual(counts(42, "10001"), counts(43, "10001"));
        Assert.NotEqual(counts(42, "10001"), counts(42, "10002"));
    }

    [Fact]
    public void Orders_HaveUniqueWellFormedNumbers_AndConsistentTimes()
    {
        var catalog = new OrderCatalog(42);
        var orders = SixtyDays.SelectMany(d => catalog.OrdersOn("10001", d).Select(o => (Day: d, Order: o))).ToList();

        Assert.Equal(orders.Count, orders.Select(o => o.Order.OrderSn).Distinct(StringComparer.Ordinal).Count());
        Assert.All(orders, o =>
        {
            Assert.Matches("^[0-9]{6}[0-9A-Z]{8}$", o.Order.OrderSn);
            Assert.StartsWith(o.Day.ToString("yyMMdd", System.Globalization.CultureInfo.InvariantCulture), o.Order.OrderSn, StringComparison.Ordinal);
            Assert.Equal(o.Day, DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(o.Order.CreateTime).UtcDateTime));
            Assert.InRange(o.Order.UpdateTime - o.Order.CreateTime, 0, (long)OrderCatalog.MaxUpdateDelay.TotalSeconds);
            Assert.True(o.Order.TotalAmount > 0);
        });
        Assert.Contains(orders, o => o.Order.UpdateTime / 86_400 > o.Order.CreateTime / 86_400);
    }

    [Theory]
    [InlineData("create_time")]
    [InlineData("update_time")]
    public void Between_IsOrderedByTheFieldThenOrderNumber_AndInclusive(string field)
    {
        var catalog = new OrderCatalog(42);
        var from = new DateTimeOffset(2024, 1, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var to = from + (3 * 86_400) - 1;

        var orders = catalog.Between("10001", field, from, to);

        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.InRange(o.TimeOf(field), from, to));
        Assert.Equal(
            orders.Select(o => o.OrderSn),
            orders.OrderBy(o => o.TimeOf(field)).ThenBy(o => o.OrderSn, StringComparer.Ordinal).Select(o => o.OrderSn));
    }

    [Fact]
    public void Find_KnownNumber_ReturnsTheOrder_UnknownIsNull()
    {
        var catalog = new OrderCatalog(42);
        var order = SixtyDays.SelectMany(d => catalog.OrdersOn("10001", d)).First();

        Assert.Equal(order, catalog.Find("10001", order.OrderSn));
        Assert.Null(catalog.Find("10002", order.OrderSn[..6] + "ZZZZZZZZ"));
        Assert.Null(catalog.Find("10001", "not-an-order"));
    }
}
