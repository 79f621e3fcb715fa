namespace Backfill.Platforms;

/// <summary>How a failed platform call should be treated.</summary>
public enum PlatformErrorKind
{
    /// <summary>Parameter, auth, sign, permission: retrying the same request cannot help.</summary>
    Permanent,

    /// <summary>5xx, timeouts, connection resets: worth a bounded retry with back-off.</summary>
    Transient,

    /// <summary>HTTP 429 or <c>too_many_request</c>: a signal for the whole platform budget; never retried into.</summary>
    Throttle,

    /// <summary>
    /// The shop's access token was refused as expired (Shopee's <c>invalid_acceess_token</c>, <c>invalid_access_token</c>,
    /// an <c>error_auth</c> about the access token): the call is asked again with a newer token once the fleet has one.
    /// </summary>
    TokenExpired,

    /// <summary>
    /// The app's calls for the platform's quota period are spent (Lazada's <c>AppCallLimit</c>): nothing helps before the
    /// period resets, so every call of the platform pauses until then, fleet-wide.
    /// </summary>
    Quota,
}

/// <summary>A platform call that failed. The message never contains secrets.</summary>
public sealed class PlatformException : Exception
{
    public PlatformException(string platform, PlatformErrorKind kind, string code, string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base($"{platform}: {code}: {message}", inner)
    {
        Platform = platform;
        Kind = kind;
        Code = code;
        Detail = message;
        RetryAfter = retryAfter;
    }

    public string Platform { get; }

    public PlatformErrorKind Kind { get; }

    /// <summary>The platform's error code (<c>error_auth</c>, <c>http_503</c>, <c>too_many_request</c>, …).</summary>
    public string Code { get; }

    /// <summary>What went wrong in words, without the platform and the code that <see cref="Exception.Message"/> adds.</summary>
    public string Detail { get; }

    /// <summary>The platform's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}
