using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators;

/// <summary>Checks the common parameters of a shop-level call the way the platform does.</summary>
internal sealed class SimulatorAuth(
    long partnerId, string partnerKey, SimulatorTokens tokens, SimulatorSwitches switches, SimulatorAnswers answers, TimeProvider time)
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The call's refusal, or none with the canonical shop id when it may proceed; and which of the shop's tokens it carried.</summary>
    public AuthCheck Check(IQueryCollection query, string path, out string shopId)
    {
        shopId = "";
        if (!TryLong(query, "partner_id", out var partner))
        {
            return Refused(answers.Param("partner_id is missing or not a number."));
        }

        if (!TryLong(query, "timestamp", out var timestamp))
        {
            return Refused(answers.Param("timestamp is missing or not a number."));
        }

        var token = query["access_token"].ToString();
        if (token.Length == 0)
        {
            return Refused(answers.Param("access_token is missing."));
        }

        if (!TryLong(query, "shop_id", out var shop))
        {
            return Refused(answers.Param("shop_id is missing or not a number."));
        }

        var sign = query["sign"].ToString();
        if (sign.Length == 0)
        {
            return Refused(answers.Param("sign is missing."));
        }

        if (partner != partnerId)
        {
            return Refused(answers.Param("partner_id is not a registered partner."));
        }

        var expected = ShopeeSigner.Sign(partnerKey, partner, path, timestamp, token, shop);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sign)))
        {
            return Refused(answers.Error(StatusCodes.Status403Forbidden, "error_sign", "Wrong sign."));
        }

        if ((time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > MaxClockSkew)
        {
            return Refused(answers.Param("timestamp is more than 5 minutes off."));
        }

        shopId = shop.ToString(CultureInfo.InvariantCulture);
        var (check, generation) = tokens.Check(shopId, token);
        return check switch
        {
            TokenCheck.Unknown => Refused(answers.Auth("Invalid access_token.")),
            TokenCheck.Expired => new AuthCheck(answers.TokenPastItsLife(), generation, Expired: true),
            _ when switches.ExpiredTokenShops.Contains(shopId) => new AuthCheck(answers.ExpiredToken(), generation, Expired: true),
            _ when switches.AuthFailShops.Contains(shopId) => new AuthCheck(answers.Auth("The shop's authorization has expired."), generation),
            _ => new AuthCheck(null, generation),
        };
    }

    /// <summary>
    /// The error answer for a public call (a token refresh: signed over partner_id, path and timestamp, no token, no
    /// shop), or null when it may proceed.
    /// </summary>
    public IResult? CheckPublic(IQueryCollection query, string path)
    {
        if (!TryLong(query, "partner_id", out var partner))
        {
            return answers.Param("partner_id is missing or not a number.");
        }

        if (!TryLong(query, "timestamp", out var timestamp))
        {
            return answers.Param("timestamp is missing or not a number.");
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

        var expected = ShopeeSigner.SignPublic(partnerKey, partner, path, timestamp);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sign)))
        {
            return answers.Error(StatusCodes.Status403Forbidden, "error_sign", "Wrong sign.");
        }

        return (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > MaxClockSkew
            ? answers.Param("timestamp is more than 5 minutes off.")
            : null;
    }

    private static AuthCheck Refused(IResult answer) => new(answer, null);

    public static bool TryLong(IQueryCollection query, string name, out long value) =>
        long.TryParse(query[name].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}

/// <summary>A shop-level call's authentication: the refusal (null: it may proceed), the token's generation when known, and whether it was refused as expired.</summary>
internal sealed record AuthCheck(IResult? Refusal, int? Generation, bool Expired = false);
