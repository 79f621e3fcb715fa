using Backfill.Platforms.Shopee;

namespace Backfill.Platforms;

/// <summary>The configured platforms of this process, each with its own shared bucket, gate and counters.</summary>
internal sealed class OrderSources : IOrderSources, IDisposable
{
    private readonly Dictionary<string, ShopeeOrderSource> _sources;

    public OrderSources(IEnumerable<ShopeeOrderSource> sources)
    {
        // Configuration keys are case-insensitive, so platform names are too.
        _sources = sources.ToDictionary(s => s.Platform, StringComparer.OrdinalIgnoreCase);
        Names = [.. _sources.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyCollection<string> Names { get; }

    public IOrderSource Get(string platform) => Find(platform);

    public PlatformCallStats Stats(string platform) => Find(platform).Stats;

    public void Dispose()
    {
        foreach (var source in _sources.Values)
        {
            source.Dispose();
        }
    }

    private ShopeeOrderSource Find(string platform) =>
        _sources.TryGetValue(platform, out var source) ? source : throw new UnknownPlatformException(platform, Names);
}
