using Backfill.Core.Data;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Lazada;

/// <summary>Lazada Open Platform: the orders of sellers named by the operator, each identified to Lazada by its token.</summary>
public sealed class LazadaAdapter : IPlatformAdapter
{
    public string Kind => "lazada";

    public Datasets Datasets => Datasets.Orders;

    public IEnumerable<string> Problems(string key, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.AppKey))
        {
            yield return $"{key}:AppKey is required.";
        }

        if (string.IsNullOrWhiteSpace(options.AppSecret))
        {
            yield return $"{key}:AppSecret is required.";
        }

        if (options.RateLimit.PerShopPermitsPerSecond is not null)
        {
            yield return $"{key}:RateLimit:PerShopPermitsPerSecond does not apply: Lazada limits calls per app, not per seller.";
        }
    }

    public int CallsInTurnPerPage(PlatformOptions options) => throw new NotImplementedException();

    public DelegatingHandler Signer(PlatformOptions options, TimeProvider time) => throw new NotImplementedException();

    public IPlatformReader Reader(string platform, PlatformOptions options, HttpClient client, TimeProvider time) => throw new NotImplementedException();

    public IPlatformTokenRefresh TokenRefresh(string platform, PlatformOptions options, HttpClient client, TimeProvider time) => throw new NotImplementedException();
}
