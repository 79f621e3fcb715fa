using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Backfill.Platforms.Shopee;

/// <summary>The shop-level request signature of the Shopee Open Platform v2.</summary>
public static class ShopeeSigner
{
    /// <summary>lowercase hex(HMAC-SHA256(partner_key, partner_id + path + timestamp + access_token + shop_id)).</summary>
    public static string Sign(string partnerKey, long partnerId, string path, long timestamp, string accessToken, long shopId)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{partnerId}{path}{timestamp}{accessToken}{shopId}");
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(partnerKey), Encoding.UTF8.GetBytes(message));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>A public call's (a token refresh): lowercase hex(HMAC-SHA256(partner_key, partner_id + path + timestamp)).</summary>
    public static string SignPublic(string partnerKey, long partnerId, string path, long timestamp)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{partnerId}{path}{timestamp}");
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(partnerKey), Encoding.UTF8.GetBytes(message));
        return Convert.ToHexStringLower(mac);
    }
}
