using System.Net.Http.Headers;

namespace Backfill.Platforms;

/// <summary>Reads Retry-After in either of its forms: seconds or an HTTP date.</summary>
internal static class RetryAfterHeader
{
    public static TimeSpan? Parse(RetryConditionHeaderValue? value, DateTimeOffset now) => value switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
