using System.Globalization;
using System.Text;
using Backfill.Core.Data;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// A platform that answers at once (P4, P5): every slice is one page of <paramref name="ordersPerPage"/> orders. It takes
/// the place of the platform adapter behind the worker's <see cref="IOrderSources"/> seam; everything around it (consume,
/// step, produce, progress, commit) is the worker's own code.
/// </summary>
internal sealed class InstantOrderSources(string platform, int ordersPerPage) : IOrderSources, IOrderSource
{
    public IReadOnlyCollection<string> Names => [platform];

    public TimeSpan HandOverHold => TimeSpan.Zero;

    public string Platform => platform;

    public event Action<string, DateTimeOffset>? CoolOffStarted
    {
        add { }
        remove { }
    }

    public event Action<string, DateTimeOffset>? Throttled
    {
        add { }
        remove { }
    }

    public event Action<string, string, long>? TokenRefused
    {
        add { }
        remove { }
    }

    public event Action<string, long>? QuotaWanted
    {
        add { }
        remove { }
    }

    public event Action<string, DateTimeOffset>? QuotaRefused
    {
        add { }
        remove { }
    }

    public bool QuotaGranted(string name, DateTimeOffset end, long calls) => false;

    public IOrderSource Get(string name) =>
        string.Equals(name, platform, StringComparison.OrdinalIgnoreCase) ? this : throw new UnknownPlatformException(name, Names);

    public PlatformCallStats Stats(string name) => new(0, 0, 0, 0);

    public BudgetSnapshot Budget(string name) => new(platform, RateLimitScope.Fleet, 0, 1, DateTimeOffset.MinValue, DateTimeOffset.MinValue, 0, []);

    public void CoolOff(string name, DateTimeOffset until)
    {
    }

    public bool ThrottledElsewhere(string name, DateTimeOffset until) => false;

    public string? SetLimit(string name, double? permitsPerSecond, double? safetyMargin) => null;

    public string TimeField => TimeFields.CreateTime;

    public Task<RecordPage> FetchAsync(PageRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(Page(request.ShopId, request.From, ordersPerPage));

    /// <summary>The page for a slice; the raw loop makes the same one, so both produce the same messages.</summary>
    public static RecordPage Page(string shop, DateTimeOffset from, int orders)
    {
        var list = new PlatformRecord[orders];
        for (var i = 0; i < orders; i++)
        {
            var at = from.AddMinutes(i);
            var sn = $"{from:yyMMdd}{shop}{i.ToString("D4", CultureInfo.InvariantCulture)}";
            var json = Encoding.UTF8.GetBytes(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"order_sn":"{{sn}}","order_status":"COMPLETED","create_time":{{at.ToUnixTimeSeconds()}},"update_time":{{at.ToUnixTimeSeconds()}},"total_amount":{{100 + i}},"currency":"SGD"}"""));
            list[i] = new PlatformRecord(Datasets.Orders, sn, at, at, json);
        }

        return new RecordPage(list, null, false) { CallsByData = new Dictionary<Datasets, int> { [Datasets.Orders] = 2 } };
    }
}
