using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Backfill.Server;

/// <summary>
/// A request Kestrel itself refuses (a body over the size limit, a malformed body framing) is the client's mistake: it
/// answers a problem detail that says why, and the log gets one warning line, not an error with a stack trace.
/// </summary>
internal sealed partial class BadRequestHandler(IProblemDetailsService problems, ILogger<BadRequestHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        Log.Refused(logger, httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = bad.StatusCode, Detail = bad.Message },
        });
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused {Method} {Path} with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, string method, string path, int status, string reason);
    }
}
