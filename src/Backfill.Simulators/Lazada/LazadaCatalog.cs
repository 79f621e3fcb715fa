using System.Collections.Concurrent;
using Backfill.Core.Hashing;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// A seller's simulated orders, derived from (seed, seller, local day) alone like the Shopee catalog, whose day counts it
/// shares. Days are the sellers' local days (+08:00). About one order in eight of a day is created in the same second (a
/// flash sale), so a page boundary or the offset cap often falls inside a second that holds more than a page of orders.
/// </summary>
internal sealed class LazadaCatalog(int seed, IReadOnlyDictionary<string, int> volume)
{
    /// <summary>The sellers' local time, in which days and times are written.</summary>
    public static readonly TimeSpan SellerOffset = TimeSpan.FromHours(8);

    /// <summary>An order is updated at most this long after it was created.</summary>
    public static readonly TimeSpan MaxUpdateDelay = TimeSpan.FromHours(36);

    // Ids are IdBase + day number × 10^12 + seller salt × 10^7 + index: unique per seller and day, all above 2^53 (a double
    // cannot hold them exactly), and the id alone says where the order lives.
    private const long IdBase = 4_000_000_000_000_000_000;
    private const long DayFactor = 1_000_000_000_000;
    private const long SaltFactor = 10_000_000;
    private const long SaltSpace = 100_000;
    private const long SecondsPerDay = 86_400;
    private const int DaysKept = 64;

    private static readonly string[] Statuses = ["unpaid", "pending", "ready_to_ship", "shipped", "delivered", "canceled", "returned"];

    private readonly OrderCatalog _counts = new(seed, volume);
    private readonly ConcurrentDictionary<(string Seller, int Day), IReadOnlyList<LazadaOrder>> _days = new();

    /// <summary>The seller's orders created on <paramref name="day"/> (local).</summary>
    public int CountOn(string seller, DateOnly day) => _counts.CountOn(seller, day);

    /// <summary>The seller's orders created on <paramref name="day"/> (local), by (created, id).</summary>
    public IReadOnlyList<LazadaOrder> OrdersOn(string seller, DateOnly day)
    {
        if (_days.TryGetValue((seller, day.DayNumber), out var known))
        {
            return known;
        }

        if (_days.Count >= DaysKept)
        {
            _days.Clear();
        }

        var orders = Enumerable.Range(0, CountOn(seller, day)).Select(index => Order(seller, day, index)).OrderBy(o => o.CreatedAt).ThenBy(o => o.OrderId).ToList();
        return _days[(seller, day.DayNumber)] = orders;
    }

    /// <summary>
    /// One page of the orders created in <c>[from, to)</c> sorted by (created, id), ascending or descending, and how many
    /// there are in all. Whole days inside the range are counted without being generated.
    /// </summary>
    public (IReadOnlyList<LazadaOrder> Page, long Total) Page(string seller, DateTimeOffset from, DateTimeOffset to, int offset, int limit, bool ascending)
    {
        var days = new List<(DateOnly Day, int Count)>();
        for (var day = LocalDay(from); to > from && day <= LocalDay(to - TimeSpan.FromTicks(1)); day = day.AddDays(1))
        {
            days.Add((day, Whole(day, from, to) ? CountOn(seller, day) : InRange(seller, day, from, to).Count()));
        }

        if (!ascending)
        {
            days.Reverse();
        }

        var page = new List<LazadaOrder>(limit);
        var skip = (long)offset;
        foreach (var (day, count) in days)
        {
            if (page.Count == limit)
            {
                break;
            }

            if (skip >= count)
            {
                skip -= count;
                continue;
            }

            var orders = InRange(seller, day, from, to);
            page.AddRange((ascending ? orders : orders.Reverse()).Skip((int)skip).Take(limit - page.Count));
            skip = 0;
        }

        return (page, days.Sum(d => (long)d.Count));
    }

    /// <summary>Every order created in <c>[from, to)</c>, by (created, id).</summary>
    public IReadOnlyList<LazadaOrder> Between(string seller, DateTimeOffset from, DateTimeOffset to)
    {
        var orders = new List<LazadaOrder>();
        for (var day = LocalDay(from); to > from && day <= LocalDay(to - TimeSpan.FromTicks(1)); day = day.AddDays(1))
        {
            orders.AddRange(InRange(seller, day, from, to));
        }

        return orders;
    }

    /// <summary>The seller's order with id <paramref name="orderId"/>; null when the seller has none (another seller's, or no order at all).</summary>
    public LazadaOrder? Find(string seller, long orderId)
    {
        var rest = orderId - IdBase;
        if (rest < 0 || (rest % DayFactor) / SaltFactor != Salt(seller))
        {
            return null;
        }

        var dayNumber = rest / DayFactor;
        var index = rest % SaltFactor;
        if (dayNumber > DateOnly.MaxValue.DayNumber)
        {
            return null;
        }

        var day = DateOnly.FromDayNumber((int)dayNumber);
        return index < CountOn(seller, day) ? Order(seller, day, (int)index) : null;
    }

    /// <summary>The order's items, from (seed, seller, id) alone: one to four, each with its list and paid price.</summary>
    public IReadOnlyList<LazadaItem> Items(string seller, LazadaOrder order) => LazadaItem.Of(seed, seller, order);

    public static DateOnly LocalDay(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(SellerOffset).DateTime);

    private IEnumerable<LazadaOrder> InRange(string seller, DateOnly day, DateTimeOffset from, DateTimeOffset to) =>
        OrdersOn(seller, day).Where(o => o.Created >= from && o.Created < to);

    private static bool Whole(DateOnly day, DateTimeOffset from, DateTimeOffset to) =>
        DayStart(day) is var start && start >= from && start.AddDays(1) <= to;

    private static DateTimeOffset DayStart(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), SellerOffset);

    private long Salt(string seller) => (long)(StableHash.Of(seed, "lazada-seller/" + seller, -7) % SaltSpace);

    private LazadaOrder Order(string seller, DateOnly day, int index)
    {
        var hash = StableHash.Of(seed, "lazada/" + seller, day.DayNumber, index);
        var flashSale = (long)(StableHash.Of(seed, "lazada-flash/" + seller, day.DayNumber) % SecondsPerDay);
        var second = hash % 8 == 0 ? flashSale : (long)((hash >> 3) % SecondsPerDay);
        var created = DayStart(day).ToUnixTimeSeconds() + second;
        var updated = created + (long)((hash >> 20) % (ulong)MaxUpdateDelay.TotalSeconds);
        return new LazadaOrder(IdBase + (day.DayNumber * DayFactor) + (Salt(seller) * SaltFactor) + index, created, updated, Statuses[(hash >> 40) % (ulong)Statuses.Length]);
    }
}

/// <summary>One order of the Lazada catalog; times in unix seconds.</summary>
internal sealed record LazadaOrder(long OrderId, long CreatedAt, long UpdatedAt, string Status)
{
    public DateTimeOffset Created => DateTimeOffset.FromUnixTimeSeconds(CreatedAt);
}
