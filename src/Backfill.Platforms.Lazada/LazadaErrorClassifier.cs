using System.Globalization;
using System.Text.RegularExpressions;

namespace Backfill.Platforms.Lazada;

/// <summary>An answer's error fields: <c>code</c> ("0" on success), <c>type</c> (ISV: the caller's fault, ISP: the platform's), <c>message</c>, <c>request_id</c>.</summary>
internal sealed record LazadaEnvelope(string? Code, string? Type, string? Message, string? RequestId);

/// <summary>
/// Decides how a Lazada answer is treated. Lazada answers HTTP 200 with an error <c>code</c>; a gateway may still answer
/// 429 or 5xx. Pure: messages are built from the status and the platform's own error fields only, never from the request,
/// whose URI carries the token and the signature.
/// </summary>
internal static partial class LazadaErrorClassifier
{
    public const string Success = "0";
    public const string ApiCallLimit = "ApiCallLimit";
    public const string AppCallLimit = "AppCallLimit";
    public const string IllegalAccessToken = "IllegalAccessToken";
    public const string InternalError = "InternalError";
    public const string BadResponse = "bad_response";

    /// <summary>The failure an answer stands for, or null when it is a success; <paramref name="envelope"/> is null when the body was not JSON.</summary>
    public static PlatformException? Classify(string platform, int status, TimeSpan? retryAfter, LazadaEnvelope? envelope)
    {
        var code = envelope?.Code;
        var failed = !string.IsNullOrEmpty(code) && code != Success;
        if (status == 429 || code == ApiCallLimit)
        {
            return Fail(platform, PlatformErrorKind.Throttle, failed ? code! : Http(status), status, envelope, "too many requests", BanOf(envelope) ?? retryAfter);
        }

        if (code == AppCallLimit)
        {
            return Fail(platform, PlatformErrorKind.Quota, code, status, envelope, "the app's calls for the period are spent", BanOf(envelope) ?? retryAfter);
        }

        if (status >= 500 || status == 408)
        {
            return Fail(platform, PlatformErrorKind.Transient, failed ? code! : Http(status), status, envelope, "server error");
        }

        if (failed)
        {
            var kind = code == IllegalAccessToken ? PlatformErrorKind.TokenExpired
                : code == InternalError || string.Equals(envelope!.Type, "ISP", StringComparison.OrdinalIgnoreCase) ? PlatformErrorKind.Transient
                : PlatformErrorKind.Permanent;
            return Fail(platform, kind, code!, status, envelope, "the platform refused the call");
        }

        if (status is < 200 or >= 300)
        {
            return Fail(platform, PlatformErrorKind.Permanent, Http(status), status, envelope, "unexpected status");
        }

        return code == Success ? null : Fail(platform, PlatformErrorKind.Transient, BadResponse, status, envelope, "the answer is not the platform's JSON");
    }

    /// <summary>An answer that succeeded but whose payload is not what the endpoint promises.</summary>
    public static PlatformException Malformed(string platform, int status, LazadaEnvelope? envelope, string what) =>
        Fail(platform, PlatformErrorKind.Transient, BadResponse, status, envelope, what, replaceText: true);

    /// <summary>The wait a limit's message names ("… ban will last 3 seconds"), when it names one.</summary>
    internal static TimeSpan? BanOf(LazadaEnvelope? envelope) =>
        envelope?.Message is { } message && BanSeconds().Match(message) is { Success: true } match
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static PlatformException Fail(
        string platform, PlatformErrorKind kind, string code, int status, LazadaEnvelope? envelope, string fallback, TimeSpan? retryAfter = null, bool replaceText = false)
    {
        var text = replaceText || string.IsNullOrWhiteSpace(envelope?.Message) ? fallback : envelope.Message.Trim();
        var type = string.IsNullOrEmpty(envelope?.Type) ? "" : $", type {envelope.Type}";
        var requestId = string.IsNullOrEmpty(envelope?.RequestId) ? "" : $", request_id {envelope.RequestId}";
        return new PlatformException(platform, kind, code, $"{text} (HTTP {status}{type}{requestId})", retryAfter);
    }

    private static string Http(int status) => string.Create(CultureInfo.InvariantCulture, $"http_{status}");

    [GeneratedRegex(@"ban will last (\d{1,9}) seconds?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BanSeconds();
}
