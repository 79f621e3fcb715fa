namespace Backfill.Platforms.Lazada;

/// <summary>Sends GET calls to API names under the base address; the signing handler on <paramref name="http"/> adds the common parameters and the signature.</summary>
internal sealed class LazadaClient(Uri baseUrl, HttpClient http)
{
    /// <param name="accessToken">The seller's token for a seller call; null for an app call (the token refresh).</param>
    public async Task<HttpResponseMessage> GetAsync(
        string apiName, IEnumerable<KeyValuePair<string, string>> parameters, string? accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, LazadaQuery.Address(baseUrl, apiName, parameters));
        if (accessToken is not null)
        {
            request.Options.Set(LazadaSigningHandler.SellerKey, new SellerToken(accessToken));
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }
}
