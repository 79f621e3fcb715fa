using Backfill.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Auth;

/// <summary>
/// Every mutation (any method but GET, HEAD, OPTIONS) needs <c>Authorization: Bearer &lt;Backfill:ApiToken&gt;</c>: 401
/// without it, 403 with another token. With no token configured, mutations are let through only while every address the
/// server listens on is a loopback one (then only this machine's users reach it) and the request names a loopback host;
/// otherwise they are refused with a problem that says to set one. Reads stay open, but for a job's export: shop data,
/// guarded as a change is (<see cref="Jobs.ExportApi.IsExport"/>). The token is never logged or echoed.
/// </summary>
internal sealed partial class ApiTokenGate(RequestDelegate next, IOptions<BackfillOptions> options, IServer server, ILogger<ApiTokenGate> logger)
{
    private const string SetToken = "Set Backfill:ApiToken (at least 16 characters) on 'backfill serve' and send it as 'Authorization: Bearer <token>' (the CLI sends --token or Backfill:ApiToken).";

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if ((HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) && !Jobs.ExportApi.IsExport(context.Request.Path))
        {
            return next(context);
        }

        var expected = options.Value.ApiToken;
        if (string.IsNullOrEmpty(expected))
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (!ListenAddresses.AreLoopbackOnly(addresses))
            {
                return RefuseAsync(context, StatusCodes.Status403Forbidden, "no Backfill:ApiToken while listening beyond loopback", "Changes and exports are refused: no API token is configured.",
                    $"This scheduler listens on {string.Join(", ", addresses)}, beyond loopback, and has no Backfill:ApiToken, so it accepts no change from anyone. {SetToken}");
            }

            // A page whose own host name resolves to 127.0.0.1 (DNS rebinding) is same-origin in the browser: the name
            // it used is what tells it from this machine's users, who reach loopback by a loopback name or address.
            return ListenAddresses.IsLoopbackHost(context.Request.Host.Host)
                ? next(context)
                : RefuseAsync(context, StatusCodes.Status403Forbidden, "no Backfill:ApiToken and a host name beyond loopback", "Changes are refused: no API token is configured.",
                    $"Without Backfill:ApiToken this scheduler accepts changes only when asked by a loopback name or address (localhost, 127.0.0.1, [::1]); this request named '{context.Request.Host.Host}'. {SetToken}");
        }

        var given = BearerToken.Read(context.Request.Headers.Authorization);
        if (given is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return RefuseAsync(context, StatusCodes.Status401Unauthorized, "no bearer token", "A bearer token is required.",
                "Changes need 'Authorization: Bearer <token>' with this scheduler's Backfill:ApiToken (the CLI sends --token or Backfill:ApiToken).");
        }

        return BearerToken.Matches(given, expected)
            ? next(context)
            : RefuseAsync(context, StatusCodes.Status403Forbidden, "wrong bearer token", "The bearer token is not accepted.",
                "The bearer token is not this scheduler's Backfill:ApiToken.");
    }

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
