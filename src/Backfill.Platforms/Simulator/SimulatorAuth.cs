using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Platforms.Simulator;

/// <summary>Checks the common parameters of a shop-level call the way the platform does.</summary>
internal sealed class SimulatorAuth(
    long partnerId, string partnerKey, IReadOnlyDictionary<string, string> accessTokens, SimulatorSwitches switches, SimulatorAnswers answers, TimeProvider time)
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The error answer for the call, or null with the canonical shop id when it may proceed.</summary>
    public IResult? Check(IQueryCollection query, string path, out string shopId)
    {
        shopId = "";
        if (!TryLong(query, "partner_id", out var partner))
        {
            return answers.Param("partner_id is missing or not a number.");
        }

        if (!TryLong(query, "timestamp", out var timestamp))
        {
            return answers.Param("timestamp is missing or not a number.");
        }

        var token = query["access_token"].ToString();
        if (token.Length == 0)
        {
            return answers.Param("access_token is missing.");
        }

        if (!TryLong(query, "shop_id", out var shop))
        {
            return answers.Param("shop_id is missing or not a number.");
        }

        var sign = query["sign"].ToString();
        if (sign.Length == 0)
        {
            return answers.Param("sign is missing.");
        }

        if (partner != partnerId)
        {
            return answers.Param("partner_id is not a registered partner.");
        }

        var expected = ShopeeSigner.Sign(partnerKey, partner, path, timestamp, token, shop);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sign)))
        {
            return answers.Error(StatusCodes.Status403Forbidden, "error_sign", "Wrong sign.");
        }

        if ((time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > MaxClockSkew)
        {
            return answers.Param("timestamp is more than 5 minutes off.");
        }

        shopId = shop.ToString(CultureInfo.InvariantCulture);
        if (accessTokens.Count > 0 && (!accessTokens.TryGetValue(shopId, out var known) || known != token))
        {
            return answers.Auth("Invalid access_token.");
        }

        if (switches.ExpiredTokenShops.Contains(shopId))
        {
            return answers.ExpiredToken();
        }

        return switches.AuthFailShops.Contains(shopId) ? answers.Auth("The shop's authorization has expired.") : null;
    }

    public static bool TryLong(IQueryCollection query, string name, out long value) =>
        long.TryParse(query[name].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
