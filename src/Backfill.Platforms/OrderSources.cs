namespace Backfill.Platforms;

/// <summary>The configured platforms of this process, each with its own budget and counters.</summary>
internal sealed class OrderSources : IOrderSources
{
    private readonly Dictionary<string, PlatformSource> _sources;

    public OrderSources(IEnumerable<PlatformSource> sources)
    {
        // Configuration keys are case-insensitive, so platform names are too.
        _sources = sources.ToDictionary(s => s.Platform, StringComparer.OrdinalIgnoreCase);
        Names = [.. _sources.Keys.Order(StringComparer.OrdinalIgnoreCase)];
        HandOverHold = _sources.Values.Select(s => s.Plan.HandOverHold).DefaultIfEmpty(LanePlan.OneSecond).Max();
        foreach (var source in _sources.Values)
        {
            source.CoolOffStarted += (platform, until) => CoolOffStarted?.Invoke(platform, until);
            source.Throttled += (platform, until) => Throttled?.Invoke(platform, until);
            source.TokenRefused += (platform, shop, version) => TokenRefused?.Invoke(platform, shop, version);
            source.QuotaWanted += (platform, want) => QuotaWanted?.Invoke(platform, want);
            source.QuotaRefused += (platform, until) => QuotaRefused?.Invoke(platform, until);
        }
    }

    public event Action<string, string, long>? TokenRefused;

    public event Action<string, long>? QuotaWanted;

    public event Action<string, DateTimeOffset>? QuotaRefused;

    public event Action<string, DateTimeOffset>? CoolOffStarted;

    public event Action<string, DateTimeOffset>? Throttled;

    public IReadOnlyCollection<string> Names { get; }

    public TimeSpan HandOverHold { get; }

    public IOrderSource Get(string platform) => Find(platform);

    public PlatformCallStats Stats(string platform) => Find(platform).Stats;

    public BudgetSnapshot Budget(string platform) => Find(platform).Budget;

    public void CoolOff(string platform, DateTimeOffset until)
    {
        if (_sources.TryGetValue(platform, out var source))
        {
            source.CoolOff(until);
        }
    }

    public bool ThrottledElsewhere(string platform, DateTimeOffset until) =>
        _sources.TryGetValue(platform, out var source) && source.ThrottledElsewhere(until);

    public bool QuotaGranted(string platform, DateTimeOffset end, long calls) =>
        _sources.TryGetValue(platform, out var source) && source.QuotaGranted(end, calls);

    public string? SetLimit(string platform, double? permitsPerSecond, double? safetyMargin) =>
        _sources.TryGetValue(platform, out var source) ? source.SetLimit(permitsPerSecond, safetyMargin) : null;

    private PlatformSource Find(string platform) =>
        _sources.TryGetValue(platform, out var source) ? source : throw new UnknownPlatformException(platform, Names);
}
