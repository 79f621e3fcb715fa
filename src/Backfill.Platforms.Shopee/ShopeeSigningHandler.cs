using System.Globalization;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Adds the common query parameters and the signature to every attempt, so a retried call carries a fresh timestamp: a
/// shop-level call's (with its <see cref="ShopCredentials"/>), or, for the token refresh, a public call's (partner id,
/// timestamp and a signature over them and the path). The resulting URI holds secrets: nothing downstream may log it.
/// </summary>
internal sealed class ShopeeSigningHandler(long partnerId, string partnerKey, TimeProvider time) : DelegatingHandler
{
    public const string ShopProperty = "Backfill.Shopee.Shop";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is null)
        {
            throw new InvalidOperationException("A Shopee request needs a URI.");
        }

        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        if (request.Options.TryGetValue(new HttpRequestOptionsKey<ShopCredentials>(ShopProperty), out var shop))
        {
            request.RequestUri = Sign(request.RequestUri, shop, timestamp);
        }
        else if (request.RequestUri.AbsolutePath == ShopeePaths.AccessToken)
        {
            request.RequestUri = SignPublic(request.RequestUri, timestamp);
        }
        else
        {
            throw new InvalidOperationException($"A Shopee shop-level request needs a {nameof(ShopCredentials)} option.");
        }

        return base.SendAsync(request, cancellationToken);
    }

    internal Uri SignPublic(Uri uri, long timestamp)
    {
        var sign = ShopeeSigner.SignPublic(partnerKey, partnerId, uri.AbsolutePath, timestamp);
        var common = string.Join('&',
            Pair("partner_id", partnerId.ToString(CultureInfo.InvariantCulture)),
            Pair("timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            Pair("sign", sign));
        var query = uri.Query.TrimStart('?');
        return new UriBuilder(uri) { Query = query.Length == 0 ? common : $"{query}&{common}" }.Uri;
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
