using System.Globalization;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Adds the common query parameters and the signature to every attempt, so a retried call carries a fresh timestamp.
/// The resulting URI holds secrets: nothing downstream may log it.
/// </summary>
internal sealed class ShopeeSigningHandler(long partnerId, string partnerKey, TimeProvider time) : DelegatingHandler
{
    public const string ShopProperty = "Backfill.Shopee.Shop";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is null
            || !request.Options.TryGetValue(new HttpRequestOptionsKey<ShopCredentials>(ShopProperty), out var shop))
        {
            throw new InvalidOperationException($"A Shopee request needs a URI and a {nameof(ShopCredentials)} option.");
        }

        request.RequestUri = Sign(request.RequestUri, shop, time.GetUtcNow().ToUnixTimeSeconds());
        return base.SendAsync(request, cancellationToken);
    }

    internal Uri Sign(Uri uri, ShopCredentials shop, long timestamp)
    {
        var sign = ShopeeSigner.Sign(partnerKey, partnerId, uri.AbsolutePath, timestamp, shop.AccessToken, shop.ShopId);
        var common = string.Join('&',
            Pair("partner_id", partnerId.ToString(CultureInfo.InvariantCulture)),
            Pair("timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            Pair("access_token", shop.AccessToken),
            Pair("shop_id", shop.ShopId.ToString(CultureInfo.InvariantCulture)),
            Pair("sign", sign));
        var query = uri.Query.TrimStart('?');
        return new UriBuilder(uri) { Query = query.Length == 0 ? common : $"{query}&{common}" }.Uri;
    }

    private static string Pair(string name, string value) => $"{name}={Uri.EscapeDataString(value)}";
}
