using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backfill.Simulators.Lazada;

namespace Backfill.Simulators.Tests.Lazada;

/// <summary>
/// Calls the simulator the way a client following Lazada's docs would, signed by this test-only signer so the
/// simulator's own check is tested against a second implementation of the contract.
/// </summary>
internal sealed class LazadaCalls(HttpClient http, LazadaSimulator simulator, TimeProvider time)
{
    public const long AppKey = 100_001;
    public const string AppSecret = "test-app-secret";
    public const string Seller = "seller-a";
    public const string Token = "token-seller-a";
    public const string RefreshToken = "refresh-seller-a";
    public const string OtherSeller = "seller-b";
    public const string OtherToken = "token-seller-b";

    public static LazadaSimulatorOptions Options() => new()
    {
        AppKey = AppKey,
        AppSecret = AppSecret,
        AccessTokens = new() { [Seller] = Token, [OtherSeller] = OtherToken },
        RefreshTokens = new() { [Seller] = RefreshToken },
        ShopVolume = new() { [Seller] = 30 },
    };

    public static string Sign(string secret, string apiName, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var text = apiName + string.Concat(parameters.Where(p => p.Key != "sign" && p.Value != "").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + p.Value));
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A call of <paramref name="apiName"/> with the common parameters added and signed (unless <paramref name="signed"/> is false).</summary>
    public async Task<JsonElement> GetAsync(
        string apiName, IDictionary<string, string> parameters, string? token = Token, bool signed = true, long? timestamp = null, string secret = AppSecret)
    {
        var all = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["app_key"] = AppKey.ToString(CultureInfo.InvariantCulture),
            ["sign_method"] = "sha256",
            ["timestamp"] = (timestamp ?? time.GetUtcNow().ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture),
        };
        if (token is not null)
        {
            all["access_token"] = token;
        }

        if (signed)
        {
            all["sign"] = Sign(secret, apiName, all);
        }

        var query = string.Join("&", all.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        using var response = await http.GetAsync(new Uri(simulator.BaseUrl, apiName.TrimStart('/') + "?" + query));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<JsonElement> ListAsync(DateTimeOffset from, DateTimeOffset to, int offset = 0, int limit = 100, string? token = Token) =>
        GetAsync("/orders/get", new Dictionary<string, string>
        {
            ["created_after"] = Iso(from),
            ["created_before"] = Iso(to),
            ["offset"] = offset.ToString(CultureInfo.InvariantCulture),
            ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["sort_by"] = "created_at",
            ["sort_direction"] = "ASC",
        }, token);

    public Task<JsonElement> ItemsAsync(IEnumerable<string> ids) =>
        GetAsync("/orders/items/get", new Dictionary<string, string> { ["order_ids"] = "[" + string.Join(",", ids) + "]" });

    public Task<JsonElement> RefreshAsync(string refreshToken = RefreshToken) =>
        GetAsync("/auth/token/refresh", new Dictionary<string, string> { ["refresh_token"] = refreshToken }, token: null);

    public static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Lazada's "yyyy-MM-dd HH:mm:ss +0800" as an instant.</summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
}

internal static class LazadaJson
{
    public static string Code(this JsonElement body) => body.GetProperty("code").GetString()!;
}
