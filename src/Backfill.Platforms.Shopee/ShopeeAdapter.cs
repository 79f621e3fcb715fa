using System.Globalization;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;
using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>Shopee Open Platform v2: orders, escrow (finance) and returns of shops named by their numeric shop id.</summary>
public sealed class ShopeeAdapter : IPlatformAdapter
{
    public string Kind => "shopee";

    public Datasets Datasets => Datasets.Orders | Datasets.Finance | Datasets.Returns;

    public IEnumerable<string> Problems(string key, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PartnerId <= 0)
        {
            yield return $"{key}:PartnerId must be greater than 0.";
        }

        if (string.IsNullOrWhiteSpace(options.PartnerKey))
        {
            yield return $"{key}:PartnerKey is required.";
        }

        foreach (var shop in options.Shops.Keys.Where(s => ShopIdProblem(s) is not null))
        {
            yield return $"{key}:Shops:{shop} is not a shop id (a decimal number).";
        }
    }

    public string? ShopIdProblem(string shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return long.TryParse(shop, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null
            : shop.Length == 0 ? "a Shopee shop id is a decimal number, e.g. 1001"
            : $"a Shopee shop id is a decimal number, e.g. 1001 (got '{(shop.Length <= 20 ? shop : shop[..20] + "…")}')";
    }

    public int CallsInTurnPerPage(PlatformOptions options) => ShopeeReader.CallsInTurnPerPage(options);

    public DelegatingHandler Signer(PlatformOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ShopeeSigningHandler(options.PartnerId, options.PartnerKey, time);
    }

    public IPlatformReader Reader(string platform, PlatformOptions options, HttpClient client, TimeProvider time) =>
        new ShopeeReader(options, RestService.For<IShopeeApi>(client));

    public IPlatformTokenRefresh TokenRefresh(string platform, PlatformOptions options, HttpClient client, TimeProvider time) =>
        new ShopeeTokenRefresh(platform, options, RestService.For<IShopeeApi>(client), time);
}
