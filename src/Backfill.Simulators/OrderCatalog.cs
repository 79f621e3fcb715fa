using Backfill.Core.Hashing;
using Backfill.Core.Data;
using System.Globalization;

namespace Backfill.Simulators;

/// <summary>
/// The simulated orders, derived from (seed, shop, UTC day) alone: nothing is stored, every process agrees.
/// About 1 day in 8 has no orders, about 1 in 6 has 200–320 (more than two list pages), the rest 5–150; a shop given a
/// volume factor has that many times as many (a hot shop, R8).
/// </summary>
public sealed class OrderCatalog(int seed, IReadOnlyDictionary<string, int>? volume = null)
{
    /// <summary>An order is updated at most this long after it was created, possibly on a later day.</summary>
    public static readonly TimeSpan MaxUpdateDelay = TimeSpan.FromHours(36);

    private const long SecondsPerDay = 86_400;
    private const ulong SnSpace = 2_821_109_907_456; // 36^8

    // Coprime with 36, so index → (index × stride + offset) mod 36^8 is one-to-one: order numbers never collide within a day.
    private const ulong SnStride = 1_000_000_007;
    private const string Base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static readonly string[] Statuses = ["UNPAID", "READY_TO_SHIP", "PROCESSED", "SHIPPED", "COMPLETED", "CANCELLED"];
    private static readonly DateOnly FirstDay = new(2000, 1, 1);
    private static readonly DateOnly LastDay = new(2099, 12, 31);

    // A detail call looks up each order of a page by number: without the day's orders at hand, a hot shop's day of
    // thousands of orders would be generated again for every order. Bounded: cleared when it grows past a few days.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Shop, int Day), IReadOnlyList<SimulatedOrder>> _days = new();
    private const int DaysKept = 64;

    internal int CountOn(string shopId, DateOnly day)
    {
        // yyMMdd in the order number only identifies days of this century.
        if (day < FirstDay || day > LastDay)
        {
            return 0;
        }

        var hash = StableHash.Of(seed, shopId, day.DayNumber);
        var spread = (int)((hash >> 8) % 1000);
        var count = (hash % 24) switch
        {
            < 3 => 0,
            < 7 => 200 + (spread % 121),
            _ => 5 + (spread % 146),
        };
        return volume is not null && volume.TryGetValue(shopId, out var factor) ? count * factor : count;
    }

    internal IReadOnlyList<SimulatedOrder> OrdersOn(string shopId, DateOnly day)
    {
        if (_days.TryGetValue((shopId, day.DayNumber), out var known))
        {
            return known;
        }

        if (_days.Count >= DaysKept)
        {
            _days.Clear();
        }

        return _days[(shopId, day.DayNumber)] = Generate(shopId, day);
    }

    private List<SimulatedOrder> Generate(string shopId, DateOnly day)
    {
        var count = CountOn(shopId, day);
        var dayStart = (day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * SecondsPerDay;
        var offset = StableHash.Of(seed, shopId, day.DayNumber, -2) % SnSpace;
        var prefix = day.ToString("yyMMdd", CultureInfo.InvariantCulture);
        var orders = new List<SimulatedOrder>(count);
        for (var index = 0; index < count; index++)
        {
            var hash = StableHash.Of(seed, shopId, day.DayNumber, index);
            var created = dayStart + (long)(hash % SecondsPerDay);
            var updated = created + (long)((hash >> 20) % (ulong)MaxUpdateDelay.TotalSeconds);
            var status = Statuses[(hash >> 40) % (ulong)Statuses.Length];
            var amount = (((hash >> 24) % 500_000) + 100) / 100m;
            orders.Add(new SimulatedOrder(prefix + Suffix(((ulong)index * SnStride + offset) % SnSpace), status, created, updated, amount));
        }

        return orders;
    }

    /// <summary>The orders whose <paramref name="timeRangeField"/> lies in [from, to] (unix seconds), by that time, then order number.</summary>
    public IReadOnlyList<SimulatedOrder> Between(string shopId, string timeRangeField, long from, long to)
    {
        var lookBack = timeRangeField == TimeFields.UpdateTime ? (long)MaxUpdateDelay.TotalSeconds : 0;
        var orders = new List<SimulatedOrder>();
        for (var day = Day(from - lookBack); day <= Day(to); day = day.AddDays(1))
        {
            orders.AddRange(OrdersOn(shopId, day).Where(o => o.TimeOf(timeRangeField) >= from && o.TimeOf(timeRangeField) <= to));
        }

        return [.. orders.OrderBy(o => o.TimeOf(timeRangeField)).ThenBy(o => o.OrderSn, StringComparer.Ordinal)];
    }

    /// <summary>Everything of the order beyond its list entry.</summary>
    internal OrderContent Content(string shopId, SimulatedOrder order) => OrderContent.Of(seed, shopId, order);

    /// <summary>The returns whose create_time lies in [from, to] (unix seconds), by that time, then return number.</summary>
    internal IReadOnlyList<SimulatedReturn> Returns(string shopId, long from, long to)
    {
        var lookBack = (long)OrderContent.MaxReturnDelay.TotalSeconds;
        var returns = new List<SimulatedReturn>();
        for (var day = Day(from - lookBack); day <= Day(to); day = day.AddDays(1))
        {
            returns.AddRange(OrdersOn(shopId, day)
                .Where(o => OrderContent.HasReturn(seed, shopId, o))
                .Select(o => Content(shopId, o).Return)
                .OfType<SimulatedReturn>()
                .Where(r => r.CreateTime >= from && r.CreateTime <= to));
        }

        return [.. returns.OrderBy(r => r.CreateTime).ThenBy(r => r.ReturnSn, StringComparer.Ordinal)];
    }

    internal SimulatedOrder? Find(string shopId, string orderSn) =>
        orderSn.Length > 6 && DateOnly.TryParseExact(orderSn[..6], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? OrdersOn(shopId, day).FirstOrDefault(o => o.OrderSn == orderSn)
            : null;

    private static DateOnly Day(long unixSeconds) =>
        DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, 0, 253_402_300_799)).UtcDateTime);

    private static string Suffix(ulong value)
    {
        Span<char> chars = stackalloc char[8];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = Base36[(int)(value % 36)];
            value /= 36;
        }

        return new string(chars);
    }
}
