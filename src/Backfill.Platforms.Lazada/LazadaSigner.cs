using System.Security.Cryptography;
using System.Text;

namespace Backfill.Platforms.Lazada;

/// <summary>Lazada's request signature. Pure.</summary>
internal static class LazadaSigner
{
    public const string SignParameter = "sign";

    /// <summary>
    /// UPPERCASE hex(HMAC-SHA256(app_secret, <see cref="Message"/>)).
    /// </summary>
    public static string Sign(string appSecret, string apiName, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), Encoding.UTF8.GetBytes(Message(apiName, parameters)));
        return Convert.ToHexString(mac);
    }

    /// <summary>
    /// The API name, then every parameter's name and value, sorted by name in ordinal (ASCII) order, leaving out
    /// <c>sign</c> and parameters whose value is empty.
    /// </summary>
    public static string Message(string apiName, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var message = new StringBuilder(apiName);
        foreach (var (name, value) in parameters
                     .Where(p => p.Key != SignParameter && !string.IsNullOrEmpty(p.Value))
                     .OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            message.Append(name).Append(value);
        }

        return message.ToString();
    }
}
