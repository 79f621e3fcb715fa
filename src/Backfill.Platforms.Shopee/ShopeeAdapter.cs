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

        foreach (var shop in options.Shops.Keys.Where(s => !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            yield return $"{key}:Shops:{shop} is not a shop id (a decimal number).";
        }
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
