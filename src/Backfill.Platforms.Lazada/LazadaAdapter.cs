using System.Globalization;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Lazada;

/// <summary>Lazada Open Platform: the orders of sellers named by the operator, each identified to Lazada by its token.</summary>
public sealed class LazadaAdapter : IPlatformAdapter
{
    public string Kind => "lazada";

    private const int MaxShopName = 64;

    public Datasets Datasets => Datasets.Orders;

    public IEnumerable<string> Problems(string key, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.AppKey))
        {
            yield return $"{key}:AppKey is required.";
        }
        else if (!long.TryParse(options.AppKey, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            yield return $"{key}:AppKey '{options.AppKey}' is not an app key (a decimal number).";
        }

        if (string.IsNullOrWhiteSpace(options.AppSecret))
        {
            yield return $"{key}:AppSecret is required.";
        }

        if (options.RateLimit.PerShopPermitsPerSecond is not null)
        {
            yield return $"{key}:RateLimit:PerShopPermitsPerSecond does not apply: Lazada limits calls per app, not per seller.";
        }

        if (options.BaseUrl is { IsAbsoluteUri: true } baseUrl
            && (!LazadaQuery.BasePath(baseUrl).EndsWith("/rest", StringComparison.Ordinal) || baseUrl.Query.Length > 0 || baseUrl.Fragment.Length > 0))
        {
            yield return $"{key}:BaseUrl '{baseUrl}' must be a region's REST address ending in /rest, without a query (e.g. https://api.lazada.sg/rest): the API names signed follow it.";
        }

        foreach (var shop in options.Shops.Keys.Where(s => ShopIdProblem(s) is not null))
        {
            yield return $"{key}:Shops:{shop} is not a seller's name (1 to {MaxShopName} letters, digits, '.', '_' or '-').";
        }

        foreach (var shared in options.Shops
                     .Where(s => !string.IsNullOrEmpty(s.Value?.AccessToken))
                     .GroupBy(s => s.Value.AccessToken, StringComparer.Ordinal)
                     .Where(g => g.Count() > 1))
        {
            yield return $"{key}:Shops:{string.Join(", ", shared.Select(s => s.Key))} have the same AccessToken: Lazada's token names its seller, so they would read the same seller's orders.";
        }
    }

    /// <summary>
    /// A seller's name as the operator gives it: it travels in record keys (<c>platform:shop:id</c>) and API paths, so it
    /// holds no separator.
    /// </summary>
    public string? ShopIdProblem(string shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return shop.Length is > 0 and <= MaxShopName && shop.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? null
            : $"a Lazada shop is the operator's name of a seller: 1 to {MaxShopName} letters, digits, '.', '_' or '-', e.g. seller-a (got '{(shop.Length <= 20 ? shop : shop[..20] + "…")}')";
    }

    public int CallsInTurnPerPage(PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LazadaReader.CallsInTurnPerPage(options);
    }

    public DelegatingHandler Signer(PlatformOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LazadaSigningHandler(options.AppKey, options.AppSecret, BaseUrl(options), time);
    }

    public IPlatformReader Reader(string platform, PlatformOptions options, HttpClient client, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LazadaReader(options, new LazadaClient(BaseUrl(options), client));
    }

    public IPlatformTokenRefresh TokenRefresh(string platform, PlatformOptions options, HttpClient client, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LazadaTokenRefresh(platform, options, new LazadaClient(BaseUrl(options), client), time);
    }

    private static Uri BaseUrl(PlatformOptions options) =>
        options.BaseUrl ?? throw new InvalidOperationException("A Lazada platform needs its BaseUrl (checked at start).");
}
