using Microsoft.Net.Http.Headers;

namespace Backfill.Server.Auth;

/// <summary>
/// What a web page of another site can make a browser send, and this server refuses: a request whose <c>Origin</c> is
/// not the server's own, and a change whose body is not JSON. A page can send a "simple" cross-site POST (text/plain,
/// form encoded) without asking the server first; it cannot send <c>application/json</c> that way, and browsers always
/// name the page's origin on such requests.
/// </summary>
internal static class CrossSiteRule
{
    /// <summary>
    /// True when <paramref name="origin"/> (the <c>Origin</c> header) names the host and port the request was sent to
    /// (<paramref name="host"/>, the <c>Host</c> header): the dashboard's own fetches. The scheme is the origin's, so a
    /// TLS proxy in front that passes the <c>Host</c> on keeps the page same-origin. <c>null</c> (a sandboxed or
    /// file page), several origins, or anything unreadable is foreign.
    /// </summary>
    public static bool IsOwnOrigin(string origin, string? host)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (string.IsNullOrEmpty(host)
            || !Uri.TryCreate(origin, UriKind.Absolute, out var page)
            || (page.Scheme != Uri.UriSchemeHttp && page.Scheme != Uri.UriSchemeHttps)
            || page.AbsolutePath != "/"
            || !Uri.TryCreate($"{page.Scheme}://{host}", UriKind.Absolute, out var server))
        {
            return false;
        }

        return string.Equals(page.Host, server.Host, StringComparison.OrdinalIgnoreCase) && page.Port == server.Port;
    }

    /// <summary>
    /// Null when a change's body may be read: <c>application/json</c> (UTF-8, the only charset the API reads), or no
    /// body and no content type at all (<c>pause</c>, <c>cancel</c>); otherwise why not, in a sentence.
    /// </summary>
    /// <param name="contentType">The <c>Content-Type</c> header, null when absent.</param>
    /// <param name="hasBody">Whether the request carries a body (a non-zero length, or chunked).</param>
    public static string? BodyProblem(string? contentType, bool hasBody)
    {
        const string Send = "Send the body as 'Content-Type: application/json' (UTF-8), e.g. curl -H 'Content-Type: application/json' -d '{…}'.";
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return hasBody ? $"The body has no Content-Type. {Send}" : null;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return $"The body is '{Shown(contentType)}', not JSON. {Send}";
        }

        return type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            ? $"The body's charset is '{Shown(type.Charset.Value)}'; the API reads UTF-8 only. {Send}"
            : null;
    }

    /// <summary>A header value as a message may quote it: short, one line.</summary>
    private static string Shown(string? value)
    {
        var text = new string([.. (value ?? "").Where(c => !char.IsControl(c))]);
        return text.Length <= 80 ? text : text[..80] + "…";
    }
}
