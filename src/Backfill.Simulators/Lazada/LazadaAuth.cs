using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// Checks the common parameters the way Lazada does: app key, sign method, signature, millisecond timestamp within
/// <see cref="MaxClockSkew"/> of the platform's clock, then (seller calls) the access token, which names the seller.
/// </summary>
internal sealed class LazadaAuth(long appKey, string appSecret, SimulatorTokens tokens, LazadaAnswers answers, TimeProvider time)
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(7_200);

    /// <summary>Whether a millisecond <paramref name="timestamp"/> is close enough to <paramref name="now"/>.</summary>
    public static bool TimestampAccepted(long timestamp, DateTimeOffset now) =>
        timestamp is >= -62_135_596_800_000 and <= 253_402_300_799_999
        && (now - DateTimeOffset.FromUnixTimeMilliseconds(timestamp)).Duration() <= MaxClockSkew;

    /// <summary>A seller call: its refusal, or none with the seller its token names and which of the seller's tokens it is.</summary>
    public LazadaAuthCheck CheckSeller(IQueryCollection query, string apiName)
    {
        if (CheckApp(query, apiName) is { } refused)
        {
            return new LazadaAuthCheck(refused, "", null);
        }

        var token = query["access_token"].ToString();
        var seller = token.Length == 0 ? null : tokens.ShopOfAccessToken(token);
        if (seller is null)
        {
            return new LazadaAuthCheck(answers.Error(LazadaAnswers.IllegalAccessToken, "Invalid access token."), "", null);
        }

        var (check, generation) = tokens.Check(seller, token);
        if (check == TokenCheck.Expired)
        {
            return new LazadaAuthCheck(answers.Error(LazadaAnswers.IllegalAccessToken, "The access token has expired."), seller, generation, Expired: true);
        }

        return new LazadaAuthCheck(null, seller, generation);
    }

    /// <summary>The refusal of an app-level call (a token refresh: no access token), or null when it may proceed.</summary>
    public IResult? CheckApp(IQueryCollection query, string apiName)
    {
        if (!long.TryParse(query["app_key"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var key) || key != appKey)
        {
            return answers.Param("app_key is missing or not a registered app.");
        }

        if (query["sign_method"].ToString() != "sha256")
        {
            return answers.Param("sign_method must be sha256.");
        }

        var sign = query[LazadaSigner.SignParameter].ToString();
        var expected = LazadaSigner.Sign(appSecret, apiName, query.Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())));
        if (sign.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sign)))
        {
            return answers.Error(LazadaAnswers.IncompleteSignature, "The request signature does not conform to platform standards.");
        }

        return long.TryParse(query["timestamp"].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp)
            && TimestampAccepted(timestamp, time.GetUtcNow())
            ? null
            : answers.Error(LazadaAnswers.InvalidTimestamp, "timestamp must be milliseconds since 1970 within 7200 seconds of the platform's time.");
    }
}

/// <summary>A seller call's authentication: the refusal (null: it may proceed), the seller, the token's generation, and whether it was refused as expired.</summary>
internal sealed record LazadaAuthCheck(IResult? Refusal, string Seller, int? Generation, bool Expired = false);
