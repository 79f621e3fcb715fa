using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// Lazada's answers: always HTTP 200, <c>code</c> "0" with the payload, or an error <c>code</c>, <c>type</c> (ISV: the
/// caller's fault, ISP: the platform's) and <c>message</c>; each with a fresh request_id. Errors are counted.
/// </summary>
internal sealed class LazadaAnswers(SimulatorStats stats)
{
    public const string IncompleteSignature = "IncompleteSignature";
    public const string InvalidTimestamp = "InvalidTimestamp";
    public const string InvalidParameter = "InvalidParameter";
    public const string IllegalAccessToken = "IllegalAccessToken";
    public const string IllegalRefreshToken = "IllegalRefreshToken";
    public const string ApiCallLimit = "ApiCallLimit";
    public const string AppCallLimit = "AppCallLimit";

    private long _requests;

    public IResult Error(string code, string message)
    {
        stats.Error();
        return Refusal(code, message);
    }

    /// <summary>A refusal by a limit: counted by the caller as refused, not as an error.</summary>
    public IResult Refusal(string code, string message) => Json(writer =>
    {
        writer.WriteString("code", code);
        writer.WriteString("type", "ISV");
        writer.WriteString("message", message);
    });

    public IResult Param(string message) => Error(InvalidParameter, message);

    /// <summary>A success: <c>code</c> "0" and the request id, then what <paramref name="payload"/> writes at the top level.</summary>
    public IResult Ok(Action<Utf8JsonWriter> payload) => Json(writer =>
    {
        writer.WriteString("code", "0");
        payload(writer);
    });

    /// <summary>A success with its payload in <c>data</c>, which <paramref name="data"/> writes (an object or an array).</summary>
    public IResult OkData(Action<Utf8JsonWriter> data) => Ok(writer =>
    {
        writer.WritePropertyName("data");
        data(writer);
    });

    private IResult Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteString("request_id", string.Create(CultureInfo.InvariantCulture, $"lzsim{Interlocked.Increment(ref _requests):x12}"));
            writer.WriteEndObject();
        }

        return TypedResults.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }
}
