namespace Backfill.Server.Dashboard;

/// <summary>The dashboard's files, embedded in this assembly (no build step, nothing on disk to deploy or lose).</summary>
internal static class DashboardAssets
{
    /// <summary>Request path → file: the page at <c>/</c>, the rest under <c>/dashboard/</c>.</summary>
    public static readonly IReadOnlyList<DashboardAsset> All =
    [
        Load("/", "index.html", "text/html; charset=utf-8"),
        Load("/dashboard/app.js", "app.js", "text/javascript; charset=utf-8"),
        Load("/dashboard/app.css", "app.css", "text/css; charset=utf-8"),
        Load("/dashboard/icon.svg", "icon.svg", "image/svg+xml"),
    ];

    private static DashboardAsset Load(string path, string file, string contentType)
    {
        var name = $"Backfill.Server.Dashboard.{file}";
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from {typeof(DashboardAssets).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new DashboardAsset(path, contentType, copy.ToArray());
    }
}

/// <summary>One file of the dashboard.</summary>
internal sealed record DashboardAsset(string Path, string ContentType, byte[] Content);
