using System.Globalization;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Adds the common parameters and the signature to every attempt, so a retried call carries a fresh timestamp: a seller
/// call's (with its <see cref="SellerToken"/>) or, for the token refresh, an app call's (no access token). The API name
/// signed is the path after the base address's. The resulting URI holds secrets: nothing downstream may log it.
/// </summary>
internal sealed class LazadaSigningHandler(string appKey, string appSecret, Uri baseUrl, TimeProvider time) : DelegatingHandler
{
    public const string SellerProperty = "Backfill.Lazada.Seller";

    public static readonly HttpRequestOptionsKey<SellerToken> SellerKey = new(SellerProperty);

    private static readonly HashSet<string> Common = new(StringComparer.Ordinal) { "app_key", "timestamp", "sign_method", "access_token", LazadaSigner.SignParameter };

    private readonly string _basePath = LazadaQuery.BasePath(baseUrl);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            throw new InvalidOperationException("A Lazada request needs an absolute URI.");
        }

        var apiName = ApiName(uri);
        var seller = request.Options.TryGetValue(SellerKey, out var token) ? token : null;
        if (seller is null && apiName != LazadaPaths.TokenRefresh)
        {
            throw new InvalidOperationException($"A Lazada seller call needs a {nameof(SellerToken)} option.");
        }

        request.RequestUri = Sign(uri, apiName, seller?.AccessToken, time.GetUtcNow().ToUnixTimeMilliseconds());
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary><paramref name="uri"/> with the common parameters (replacing any it had) and the signature over all of them.</summary>
    internal Uri Sign(Uri uri, string apiName, string? accessToken, long timestampMs)
    {
        var parameters = LazadaQuery.Parse(uri.Query).Where(p => !Common.Contains(p.Key)).ToList();
        parameters.Add(KeyValuePair.Create("app_key", appKey));
        parameters.Add(KeyValuePair.Create("timestamp", timestampMs.ToString(CultureInfo.InvariantCulture)));
        parameters.Add(KeyValuePair.Create("sign_method", "sha256"));
        if (accessToken is not null)
        {
            parameters.Add(KeyValuePair.Create("access_token", accessToken));
        }

        parameters.Add(KeyValuePair.Create(LazadaSigner.SignParameter, LazadaSigner.Sign(appSecret, apiName, parameters)));
        return new UriBuilder(uri) { Query = LazadaQuery.Format(parameters) }.Uri;
    }

    /// <summary>The path after the base address's path: what Lazada signs as the API name.</summary>
    internal string ApiName(Uri uri)
    {
        var path = uri.AbsolutePath;
        return path.StartsWith(_basePath + "/", StringComparison.Ordinal)
            ? path[_basePath.Length..]
            : throw new InvalidOperationException($"A Lazada request's path must follow the base address's path '{_basePath}'.");
    }
}
