using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Http;

/// <summary>Retry-After in either of its forms, as <see cref="PlatformHttp.SendAsync"/> reads it into the answer.</summary>
public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Seconds_AreThatLong() =>
        Assert.Equal(TimeSpan.FromSeconds(7), await RetryAfterAsync(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7))));

    [Fact]
    public async Task Date_IsTheTimeUntilIt() =>
        Assert.Equal(TimeSpan.FromSeconds(30), await RetryAfterAsync(new RetryConditionHeaderValue(Now.AddSeconds(30))));

    [Fact]
    public async Task DateInThePast_IsZero() =>
        Assert.Equal(TimeSpan.Zero, await RetryAfterAsync(new RetryConditionHeaderValue(Now.AddSeconds(-30))));

    [Fact]
    public async Task Absent_IsNull() => Assert.Null(await RetryAfterAsync(null));

    private static async Task<TimeSpan?> RetryAfterAsync(RetryConditionHeaderValue? header)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{}") };
        response.Headers.RetryAfter = header;

        var answer = await PlatformHttp.SendAsync("demo", _ => Task.FromResult(response), [], new FakeTimeProvider(Now), CancellationToken.None, CancellationToken.None);

        return answer.RetryAfter;
    }
}
