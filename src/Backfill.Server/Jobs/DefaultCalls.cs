using Backfill.Core.Data;

namespace Backfill.Server.Jobs;

/// <summary>
/// Calls a slice of a shop with no earlier run is assumed to make per dataset, from an assumed
/// <see cref="OrdersPerDay"/> orders a day listed <c>PageSize</c> at a time: orders ≈ pages + ⌈orders ÷ 50⌉ (one list
/// call a page, one detail call per 50 orders), finance ≈ orders (one escrow call per order), returns ≈ pages (one return
/// list call a page). A slice makes at least one list call however few its orders. Pure.
/// </summary>
public static class DefaultCalls
{
    /// <summary>Orders a shop is assumed to have per day when it has no earlier run.</summary>
    public const double OrdersPerDay = 300;

    /// <summary>Orders one detail call asks for.</summary>
    public const int DetailBatch = 50;

    /// <summary>Calls one slice of <paramref name="sliceDays"/> days makes for <paramref name="one"/> dataset.</summary>
    public static long PerSlice(Datasets one, int sliceDays, int pageSize, double ordersPerDay = OrdersPerDay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sliceDays);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var orders = (long)Math.Ceiling(ordersPerDay * sliceDays);
        var pages = Math.Max(1, Ceiling(orders, pageSize));
        return one switch
        {
            Datasets.Orders => pages + Ceiling(orders, DetailBatch),
            Datasets.Finance => orders,
            Datasets.Returns => pages,
            _ => throw new ArgumentException($"'{one}' is not one dataset.", nameof(one)),
        };
    }

    /// <summary>The same per calendar day.</summary>
    public static double PerDay(Datasets one, int sliceDays, int pageSize) => PerSlice(one, sliceDays, pageSize) / (double)sliceDays;

    private static long Ceiling(long a, long b) => (a + b - 1) / b;
}
