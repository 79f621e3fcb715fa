using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Platforms.Shopee;

namespace Backfill.Testing;

/// <summary>Hand-built signed calls, for checking the simulator's rules without the client's pipeline in between.</summary>
internal static class SignedCalls
{
    public static Uri Build(
        Uri baseUrl,
        string path,
        string query,
        long shopId = 10001,
        string token = PlatformHarness.Token,
        string partnerKey = PlatformHarness.PartnerKey,
        long? timestamp = null)
    {
        var at = timestamp ?? TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var sign = ShopeeSigner.Sign(partnerKey, PlatformHarness.PartnerId, path, at, token, shopId);
        var common = string.Create(
            CultureInfo.InvariantCulture,
            $"partner_id={PlatformHarness.PartnerId}&timestamp={at}&access_token={Uri.EscapeDataString(token)}&shop_id={shopId}&sign={sign}");
        return new Uri(baseUrl, $"{path}?{(query.Length > 0 ? query + "&" : "")}{common}");
    }

    public static string ListQuery(DateTimeOffset from, DateTimeOffset to, int pageSize = 100, string cursor = "", string field = "create_time") =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"time_range_field={field}&time_from={from.ToUnixTimeSeconds()}&time_to={to.ToUnixTimeSeconds() - 1}&page_size={pageSize}&cursor={Uri.EscapeDataString(cursor)}");

    public static async Task<(int Status, JsonElement Body)> GetAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body);
    }

    /// <summary>A token refresh signed as the platform's public calls are: over partner_id, path and timestamp.</summary>
    public static async Task<(int Status, JsonElement Body)> RefreshAsync(
        HttpClient http, Uri baseUrl, string refreshToken, long shopId = 10001, long? timestamp = null, string partnerKey = PlatformHarness.PartnerKey)
    {
        var at = timestamp ?? TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var sign = ShopeeSigner.SignPublic(partnerKey, PlatformHarness.PartnerId, ShopeePaths.AccessToken, at);
        var uri = new Uri(baseUrl, string.Create(CultureInfo.InvariantCulture, $"{ShopeePaths.AccessToken}?partner_id={PlatformHarness.PartnerId}&timestamp={at}&sign={sign}"));
        using var response = await http.PostAsJsonAsync(uri, new { refresh_token = refreshToken, partner_id = PlatformHarness.PartnerId, shop_id = shopId });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body);
    }

    public static string Error(this JsonElement body) => body.GetProperty("error").GetString() ?? "";
}
