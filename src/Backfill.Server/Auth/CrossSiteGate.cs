using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Backfill.Server.Auth;

/// <summary>
/// Refuses what a web page of another site could make the operator's browser send (<see cref="CrossSiteRule"/>): any
/// request whose <c>Origin</c> is not this server's own (403; reads too, as they carry shop data), and any change whose
/// body is not JSON (415). The dashboard is served from here and sends no foreign origin. Runs before the token gate,
/// so a request from a page is refused whether or not a token is configured.
/// </summary>
internal sealed partial class CrossSiteGate(RequestDelegate next, ILogger<CrossSiteGate> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var origin = request.Headers.Origin;
        if (origin.Count > 0 && (origin.Count > 1 || !CrossSiteRule.IsOwnOrigin(origin.ToString(), request.Host.Value)))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "foreign origin", "Requests from another site's page are refused.",
                $"This request comes from a page of another origin ({Quoted(origin.ToString())}) than this scheduler ({Quoted(request.Host.Value)}); the API answers its own dashboard, the CLI and scripts, which send no Origin.");
        }

        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return next(context);
        }

        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        return CrossSiteRule.BodyProblem(request.ContentType, hasBody) is { } problem
            ? RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "body not JSON", "The body must be JSON.", problem)
            : next(context);
    }

    private static string Quoted(string? value) =>
        value is null ? "none" : value.Length <= 100 ? value : value[..100] + "…";

    private Task RefuseAsync(HttpContext context, int status, string why, string title, string detail)
    {
        Log.Refused(logger, context.Request.Method, context.Request.Path.Value ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "?", status, why);
        return TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused {Method} {Path} from {Remote} with {Status}: {Why}")]
        public static partial void Refused(ILogger logger, string method, string path, string remote, int status, string why);
    }
}
