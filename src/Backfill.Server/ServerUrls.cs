namespace Backfill.Server;

/// <summary>Where the server listens: plain-HTTP absolute URLs, several separated by <c>;</c> as in ASP.NET Core.</summary>
public static class ServerUrls
{
    /// <exception cref="ArgumentException">A URL that is not an absolute <c>http://</c> URL; the message says which.</exception>
    public static IReadOnlyList<Uri> Parse(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var parsed = new List<Uri>();
        foreach (var text in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel is started without its TLS setup: TLS belongs to a proxy in front of the scheduler.
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
            {
                throw new ArgumentException($"'{text}' is not a URL to listen on; use http://HOST:PORT, e.g. http://127.0.0.1:5080 (no path; TLS belongs to a proxy in front).", nameof(urls));
            }

            parsed.Add(uri);
        }

        return parsed.Count > 0 ? parsed : throw new ArgumentException("No URL to listen on; use http://HOST:PORT, e.g. http://127.0.0.1:5080.", nameof(urls));
    }
}
