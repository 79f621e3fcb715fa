using System.Security.Cryptography;
using System.Text;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// Lazada's request signature as the platform checks it: uppercase hex HMAC-SHA256, keyed with the app secret, of the API
/// name followed by every parameter but <c>sign</c> as name then value, sorted by name in ordinal (ASCII) order, empty
/// values skipped. The simulator's own implementation of the contract, so it checks a client instead of agreeing with it.
/// </summary>
internal static class LazadaSigner
{
    public const string SignParameter = "sign";

    /// <summary>The text that is signed, e.g. <c>/order/getaccess_tokentestapp_key123456…</c>.</summary>
    public static string Message(string apiName, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var message = new StringBuilder(apiName);
        foreach (var (name, value) in parameters
            .Where(p => p.Key != SignParameter && p.Value.Length > 0)
            .OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            message.Append(name).Append(value);
        }

        return message.ToString();
    }

    public static string Sign(string appSecret, string apiName, IEnumerable<KeyValuePair<string, string>> parameters) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), Encoding.UTF8.GetBytes(Message(apiName, parameters))));
}
