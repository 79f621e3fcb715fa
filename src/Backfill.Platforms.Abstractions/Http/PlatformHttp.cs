using Refit;

namespace Backfill.Platforms;

/// <summary>
/// Sends one request and reads its answer whole, turning transport failures into <see cref="PlatformException"/>s. Never
/// lets the request through into an exception: its URI carries the token and the signature.
/// </summary>
public static class PlatformHttp
{
    public const string Timeout = "timeout";
    public const string ConnectionError = "connection_error";

    /// <summary>
    /// Whether <paramref name="exception"/> from <see cref="SendAsync"/> means the call was given up on before its answer
    /// (its timeout, or the caller's cancellation): its request may still be on its way to the platform.
    /// </summary>
    public static bool IsGivenUp(Exception exception) => exception is OperationCanceledException or PlatformException { Code: Timeout };

    /// <summary>
    /// The answer to <paramref name="send"/>, made within <paramref name="attemptToken"/>. A cancellation by
    /// <paramref name="callerToken"/> is an <see cref="OperationCanceledException"/>; one by the attempt alone (its timeout)
    /// and a broken connection are <see cref="PlatformErrorKind.Transient"/>.
    /// </summary>
    public static async Task<PlatformAnswer> SendAsync(
        string platform,
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        IReadOnlyList<string?> secrets,
        TimeProvider time,
        CancellationToken callerToken,
        CancellationToken attemptToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(time);
        try
        {
            using var response = await send(attemptToken).ConfigureAwait(false);
            var retryAfter = RetryAfterHeader.Parse(response.Headers.RetryAfter, time.GetUtcNow());
            var body = await response.Content.ReadAsStringAsync(attemptToken).ConfigureAwait(false);
            return new PlatformAnswer(platform, (int)response.StatusCode, retryAfter, body, secrets);
        }
        catch (Exception ex) when (callerToken.IsCancellationRequested)
        {
            // A bare cancellation: what an HTTP library wraps it in may carry the signed request URI.
            throw new OperationCanceledException("The caller cancelled the call.", ex is ApiRequestException ? null : ex, callerToken);
        }
        catch (Exception ex) when (Classify(platform, ex) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The failure a transport exception stands for; null when it is not a transport failure. Refit's
    /// <c>ApiRequestException</c>, which holds the request, is judged by its cause and dropped.
    /// </summary>
    public static PlatformException? Classify(string platform, Exception exception) => exception switch
    {
        ApiRequestException { InnerException: { } cause } => Classify(platform, cause),
        ApiRequestException => new PlatformException(platform, PlatformErrorKind.Transient, ConnectionError, "the request could not be sent"),
        PlatformException failure => failure,
        OperationCanceledException => new PlatformException(platform, PlatformErrorKind.Transient, Timeout, "no answer within the time allowed", inner: exception),
        HttpRequestException http => new PlatformException(platform, PlatformErrorKind.Transient, ConnectionError, $"the request failed ({http.HttpRequestError})", inner: exception),
        IOException => new PlatformException(platform, PlatformErrorKind.Transient, ConnectionError, "the connection broke while reading the answer", inner: exception),
        _ => null,
    };
}
