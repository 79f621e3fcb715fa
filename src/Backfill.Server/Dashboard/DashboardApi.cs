using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Server.Dashboard;

/// <summary>
/// <c>GET /</c>: the dashboard, one page reading <c>GET /api/jobs</c> every 2 s. Script and style are files of their own
/// so the Content-Security-Policy can allow this origin alone, with no inline code at all.
/// </summary>
internal static class DashboardApi
{
    /// <summary>Only this origin's script, style, images and fetches; no frames, forms, plugins or base changes.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        foreach (var asset in DashboardAssets.All)
        {
            app.MapGet(asset.Path, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Small files: always revalidated, so a new server version shows at the next reload.
                headers.CacheControl = "no-cache";
                return TypedResults.Bytes(asset.Content, asset.ContentType);
            }).ExcludeFromDescription();
        }

        return app;
    }
}
