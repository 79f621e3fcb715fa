using System.Globalization;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Platforms.Simulator;

/// <summary>The simulator's answers in the platform's wire format, each with a fresh request_id; errors are counted.</summary>
internal sealed class SimulatorAnswers(SimulatorStats stats)
{
    private long _requests;

    public IResult Error(int status, string error, string message)
    {
        stats.Error();
        return Envelope(new ShopeeErrorEnvelope(error, message, NextRequestId()), status);
    }

    public IResult Param(string message) => Error(StatusCodes.Status400BadRequest, "error_param", message);

    public IResult Auth(string message) => Error(StatusCodes.Status403Forbidden, "error_auth", message);

    public static IResult Throttled(HttpContext http, string requestId)
    {
        http.Response.Headers.RetryAfter = "1";
        return Envelope(
            new ShopeeErrorEnvelope(ShopeeErrorClassifier.TooManyRequest, "Too many requests, please try again later.", requestId),
            StatusCodes.Status429TooManyRequests);
    }

    public IResult Throttled(HttpContext http) => Throttled(http, NextRequestId());

    /// <summary>An error page from in front of the platform: not its JSON.</summary>
    public IResult Unavailable()
    {
        stats.Error();
        return TypedResults.Text("Service Unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public IResult Ok(OrderListResponse response) =>
        TypedResults.Json(new ShopeeEnvelope<OrderListResponse>(response, "", "", NextRequestId()), ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse);

    public IResult Ok(OrderDetailResponse response) =>
        TypedResults.Json(new ShopeeEnvelope<OrderDetailResponse>(response, "", "", NextRequestId()), ShopeeJsonContext.Default.ShopeeEnvelopeOrderDetailResponse);

    private static IResult Envelope(ShopeeErrorEnvelope envelope, int status) =>
        TypedResults.Json(envelope, ShopeeJsonContext.Default.ShopeeErrorEnvelope, statusCode: status);

    private string NextRequestId() =>
        string.Create(CultureInfo.InvariantCulture, $"sim{Interlocked.Increment(ref _requests):x12}");
}
