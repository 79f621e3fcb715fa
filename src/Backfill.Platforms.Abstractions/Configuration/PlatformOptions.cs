using Backfill.Core.Data;

namespace Backfill.Platforms.Configuration;

/// <summary>One platform, bound from the configuration section <c>Platforms:{name}</c>.</summary>
public sealed class PlatformOptions
{
    /// <summary>The platform's API family: <c>shopee</c> or <c>lazada</c>. Required.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The API's base address, e.g. <c>https://partner.shopeemobile.com</c>. Required.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The partner (app) id Shopee issued. Required for Shopee, greater than 0.</summary>
    public long PartnerId { get; set; }

    /// <summary>The partner key Shopee calls are signed with. Secret; required for Shopee.</summary>
    public string PartnerKey { get; set; } = "";

    /// <summary>The app key Lazada issued. Required for Lazada.</summary>
    public string AppKey { get; set; } = "";

    /// <summary>The app secret Lazada calls are signed with. Secret; required for Lazada.</summary>
    public string AppSecret { get; set; } = "";

    /// <summary>Shops by shop id (Shopee's numeric id; for Lazada the operator's name of the seller whose token it is): the only shops a job of this platform may name (the scheduler refuses others when asked).</summary>
    public Dictionary<string, ShopOptions> Shops { get; set; } = [];

    /// <summary>This process's call budget for the platform.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Orders per list page, 1..100. Default 100.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Which order time a slice selects on: <c>create_time</c> (default) or <c>update_time</c>.</summary>
    public string TimeRangeField { get; set; } = TimeFields.CreateTime;

    /// <summary>Bounded retries of transient failures.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Time allowed for one HTTP attempt. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A description for logs and status output; secrets are masked.</summary>
    public override string ToString() =>
        $"Kind={Kind}, BaseUrl={BaseUrl}, PartnerId={PartnerId}, PartnerKey={Secrets.Mask(PartnerKey)}, AppKey={AppKey}, AppSecret={Secrets.Mask(AppSecret)}, " +
        $"Shops=[{string.Join(", ", Shops.Select(s => $"{s.Key}: {s.Value}"))}], RateLimit=({RateLimit}), PageSize={PageSize}, " +
        $"TimeRangeField={TimeRangeField}, Retry=({Retry}), Timeout={Timeout}";
}
