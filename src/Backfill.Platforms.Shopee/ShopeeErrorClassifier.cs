using System.Globalization;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Decides how a failed call is treated (PLATFORM-API.md, Errors). Pure: messages are built from the status and the
/// platform's own error fields only, never from the request, whose URI carries the token and the signature.
/// </summary>
public static class ShopeeErrorClassifier
{
    /// <summary>The error the platform answers a call over its rate with (the simulator answers it too).</summary>
    public const string TooManyRequest = "too_many_request";
    internal const string BadResponse = "bad_response";

    private static readonly HashSet<string> TransientErrors = new(StringComparer.OrdinalIgnoreCase) { "error_server" };

    // Shopee's own spelling first (PLATFORM-API.md, Tokens), then the one a fix on its side would bring.
    private static readonly HashSet<string> AccessTokenErrors = new(StringComparer.OrdinalIgnoreCase) { "invalid_acceess_token", "invalid_access_token" };

    /// <summary>
    /// The failure an answer stands for, or null when it is a success. The envelope is the answer's error fields,
    /// null when the body was not the platform's JSON.
    /// </summary>
    internal static PlatformException? Classify(string platform, int status, TimeSpan? retryAfter, ShopeeErrorEnvelope? envelope)
    {
        var error = envelope?.Error;
        var hasError = !string.IsNullOrEmpty(error);

        if (status == 429 || (hasError && error!.Contains(TooManyRequest, StringComparison.OrdinalIgnoreCase)))
        {
            return Fail(platform, PlatformErrorKind.Throttle, hasError ? error! : TooManyRequest, status, envelope, "too many requests", retryAfter);
        }

        if (status >= 500 || status == 408)
        {
            return Fail(platform, PlatformErrorKind.Transient, hasError ? error! : Http(status), status, envelope, "server error");
        }

        if (hasError)
        {
            var kind = TransientErrors.Contains(error!) ? PlatformErrorKind.Transient
                : IsAccessTokenRefused(error!, envelope?.Message) ? PlatformErrorKind.TokenExpired
                : PlatformErrorKind.Permanent;
            return Fail(platform, kind, error!, status, envelope, "the platform refused the call");
        }

        if (status is < 200 or >= 300)
        {
            return Fail(platform, PlatformErrorKind.Permanent, Http(status), status, envelope, "unexpected status");
        }

        return envelope is null
            ? Fail(platform, PlatformErrorKind.Transient, BadResponse, status, null, "the answer is not the platform's JSON")
            : null;
    }

    /// <summary>
    /// The shop's access token was refused (expired, or replaced): its own error codes, or <c>error_auth</c> whose message
    /// names the access token. A refused refresh token or a withdrawn authorisation is another <c>error_auth</c>: permanent.
    /// </summary>
    private static bool IsAccessTokenRefused(string error, string? message) =>
        AccessTokenErrors.Contains(error)
        || (string.Equals(error, "error_auth", StringComparison.OrdinalIgnoreCase) && message is not null
            && (message.Contains("access_token", StringComparison.OrdinalIgnoreCase) || message.Contains("access token", StringComparison.OrdinalIgnoreCase)));

    /// <summary>An answer that parsed as an envelope but not as the expected payload.</summary>
    internal static PlatformException Malformed(string platform, int status, ShopeeErrorEnvelope? envelope, string what) =>
        Fail(platform, PlatformErrorKind.Transient, BadResponse, status, envelope, what);

    private static PlatformException Fail(
        string platform, PlatformErrorKind kind, string code, int status, ShopeeErrorEnvelope? envelope, string fallback, TimeSpan? retryAfter = null)
    {
        var text = string.IsNullOrWhiteSpace(envelope?.Message) ? fallback : envelope.Message.Trim();
        var requestId = string.IsNullOrEmpty(envelope?.RequestId) ? "" : $", request_id {envelope.RequestId}";
        return new PlatformException(platform, kind, code, $"{text} (HTTP {status}{requestId})", retryAfter);
    }

    private static string Http(int status) => string.Create(CultureInfo.InvariantCulture, $"http_{status}");
}
