using System.Text;

namespace Backfill.Platforms.Lazada;

/// <summary>A request's query string as name/value pairs, both ways, every value escaped as a URI data string. Pure.</summary>
internal static class LazadaQuery
{
    public static string Format(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (query.Length > 0)
            {
                query.Append('&');
            }

            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }

    /// <summary>The pairs of <paramref name="query"/> (with or without its leading '?'), unescaped.</summary>
    public static List<KeyValuePair<string, string>> Parse(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = at < 0 ? (pair, "") : (pair[..at], pair[(at + 1)..]);
            pairs.Add(KeyValuePair.Create(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }

        return pairs;
    }

    /// <summary>
    /// The address of <paramref name="apiName"/> under <paramref name="baseUrl"/>, which may or may not end with a slash
    /// (<c>https://api.lazada.sg/rest</c> + <c>/orders/get</c> = <c>https://api.lazada.sg/rest/orders/get</c>).
    /// </summary>
    public static Uri Address(Uri baseUrl, string apiName, IEnumerable<KeyValuePair<string, string>> parameters) =>
        new UriBuilder(baseUrl) { Path = BasePath(baseUrl) + apiName, Query = Format(parameters), Fragment = "" }.Uri;

    /// <summary>The base address's path without its trailing slash: what an API name follows.</summary>
    public static string BasePath(Uri baseUrl) => baseUrl.AbsolutePath.TrimEnd('/');
}
