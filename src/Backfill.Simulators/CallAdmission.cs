namespace Backfill.Simulators;

/// <summary>The partner-wide call limit and, when configured, one per shop; a call must fit both.</summary>
internal sealed class CallAdmission(double permitsPerSecond, double? perShopPermitsPerSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SlidingWindowCounter _partner = new(Limit(permitsPerSecond), time);
    private readonly Dictionary<string, SlidingWindowCounter> _shops = new(StringComparer.Ordinal);

    /// <summary>Admits the call or refuses it; <paramref name="inWindow"/> is the partner's admitted calls in the last second.</summary>
    public bool TryAdmit(string? shopId, out int inWindow)
    {
        lock (_lock)
        {
            var shop = Shop(shopId);

            // Both windows are checked before either records, so a call refused by one leaves no trace in the other.
            if (!_partner.HasRoom() || (shop is not null && !shop.HasRoom()))
            {
                inWindow = 0;
                return false;
            }

            _partner.TryAcquire();
            shop?.TryAcquire();
            inWindow = _partner.Count;
            return true;
        }
    }

    private SlidingWindowCounter? Shop(string? shopId)
    {
        if (perShopPermitsPerSecond is not > 0 || string.IsNullOrEmpty(shopId))
        {
            return null;
        }

        if (!_shops.TryGetValue(shopId, out var window))
        {
            window = new SlidingWindowCounter(Limit(perShopPermitsPerSecond.Value), time);
            _shops[shopId] = window;
        }

        return window;
    }

    // A window counts whole calls: 20.5 calls per second admits 20. Zero means unlimited.
    private static int Limit(double permitsPerSecond) =>
        permitsPerSecond > 0 ? Math.Max(1, (int)Math.Floor(permitsPerSecond)) : int.MaxValue;
}
