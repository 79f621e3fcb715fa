namespace Backfill.Platforms;

/// <summary>
/// The platform calls of one page, as the product makes them for an adapter: each call is admitted by the platform's
/// fleet-wide budget (rate, quota) in the page's lane, retried when transient, and signed by the adapter's
/// <c>send</c> with the shop's current access token; a token the adapter's <c>read</c> classifies as
/// <see cref="PlatformErrorKind.TokenExpired"/> is reported and the call asked again with a newer one.
/// </summary>
public interface IPageCalls
{
    /// <summary>How many calls of this page may be under way at once without only queueing at the budget (at least 1).</summary>
    int AtOnce { get; }

    /// <summary>
    /// One call: <paramref name="send"/> gets the shop's access token and sends the request; <paramref name="read"/> turns
    /// the answer into the result or throws the <see cref="PlatformException"/> it stands for (never naming a secret of
    /// <see cref="PlatformAnswer.Secrets"/>). Throws <see cref="PlatformException"/> once the product's own retries are spent.
    /// </summary>
    Task<T> CallAsync<T>(Func<string, CancellationToken, Task<HttpResponseMessage>> send, Func<PlatformAnswer, T> read, CancellationToken cancellationToken)
        where T : class;

    /// <summary>A failure of the page found without a call (a bad cursor, a listed order left out of its details), counted like a call's.</summary>
    PlatformException Fail(PlatformErrorKind kind, string code, string message);
}

/// <summary>
/// A platform's answer as received: status, <c>Retry-After</c>, body, and the secrets a message built from it must not
/// contain (the platform may echo them).
/// </summary>
public sealed record PlatformAnswer(string Platform, int Status, TimeSpan? RetryAfter, string Body, IReadOnlyList<string?> Secrets);
