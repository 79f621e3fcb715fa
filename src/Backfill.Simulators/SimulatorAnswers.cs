using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators;

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

    public static IResult Throttled(HttpContext http, string requestId, int retryAfterSeconds = 1)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Envelope(
            new ShopeeErrorEnvelope(ShopeeErrorClassifier.TooManyRequest, "Too many requests, please try again later.", requestId),
            StatusCodes.Status429TooManyRequests);
    }

    public IResult Throttled(HttpContext http) => Throttled(http, NextRequestId());

    public IResult Throttled(HttpContext http, int retryAfterSeconds) => Throttled(http, NextRequestId(), retryAfterSeconds);

    /// <summary>What the simulator answers a shop switched to <see cref="SimulatorSwitches.ExpiredTokenShops"/>; the token itself is never echoed.</summary>
    public IResult ExpiredToken()
    {
        stats.Expired();
        return Error(StatusCodes.Status403Forbidden, "invalid_access_token", "Invalid access_token: the token has expired, refresh it.");
    }

    /// <summary>What Shopee v2 answers a call made with an access token past its life, word for word (its own spelling).</summary>
    public IResult TokenPastItsLife()
    {
        stats.Expired();
        return Error(StatusCodes.Status403Forbidden, "invalid_acceess_token", "Invalid access_token.");
    }

    public IResult Ok(AccessTokenResponse response) =>
        TypedResults.Json(response with { RequestId = NextRequestId() }, ShopeeJsonContext.Default.AccessTokenResponse);

    /// <summary>An HTML page where the platform's JSON should be, with HTTP 200.</summary>
    public IResult HtmlPage()
    {
        stats.Error();
        return TypedResults.Content("<html><body><h1>Maintenance</h1></body></html>", "text/html", statusCode: StatusCodes.Status200OK);
    }

    /// <summary>An error page from in front of the platform: not its JSON.</summary>
    public IResult Unavailable()
    {
        stats.Error();
        return TypedResults.Text("Service Unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public IResult Ok(OrderListResponse response) =>
        TypedResults.Json(new ShopeeEnvelope<OrderListResponse>(response, "", "", NextRequestId()), ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse);

    /// <summary>
    /// A success whose <c>response</c> object <paramref name="response"/> writes member by member: records whose fields
    /// depend on what was asked (optional fields) are written as the platform writes them, not through a fixed type.
    /// Text is written as UTF-8, not escaped, as the platform sends it.
    /// </summary>
    public IResult Ok(Action<Utf8JsonWriter> response)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("error", "");
            writer.WriteString("message", "");
            writer.WriteString("request_id", NextRequestId());
            writer.WriteStartObject("response");
            response(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return TypedResults.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    private static IResult Envelope(ShopeeErrorEnvelope envelope, int status) =>
        TypedResults.Json(envelope, ShopeeJsonContext.Default.ShopeeErrorEnvelope, statusCode: status);

    private string NextRequestId() =>
        string.Create(CultureInfo.InvariantCulture, $"sim{Interlocked.Increment(ref _requests):x12}");
}
