using System.Security.Cryptography;
using System.Text;

namespace Backfill.Server.Auth;

/// <summary>Reading and checking <c>Authorization: Bearer …</c>; the token itself never leaves this class.</summary>
public static class BearerToken
{
    /// <summary>The token of a <c>Bearer</c> authorization header, or null when there is none.</summary>
    public static string? Read(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>
    /// True when <paramref name="given"/> is <paramref name="expected"/>. Both are hashed first and the hashes compared in
    /// fixed time, so neither how much of a guess was right nor the token's length shows in the answer time.
    /// </summary>
    public static bool Matches(string given, string expected)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(expected);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
