using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Quotas;

public sealed class QuotaAllowanceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 9, 15, 4, 0, 0, TimeSpan.Zero));

    private QuotaAllowance Allowance() => new(
        QuotaPlan.For(new RateLimitOptions { PermitsPerSecond = 10, Quotas = [new QuotaOptions { Calls = 100, Period = TimeSpan.FromMinutes(1) }] }), _time);

    [Fact]
    public void TryTake_UsesOnlyWhatWasGranted()
    {
        var allowance = Allowance();
        Assert.False(allowance.TryTake());

        allowance.Granted(_time.GetUtcNow().AddMinutes(1), 2);

        Assert.Equal([true, true, false], [allowance.TryTake(), allowance.TryTake(), allowance.TryTake()]);
    }

    [Fact]
    public void Grants_AddUpForOneEnd_AndANewEndStartsAfresh_OlderOnesIgnored()
    {
        var allowance = Allowance();
        var end = _time.GetUtcNow().AddMinutes(1);
        allowance.Granted(end, 2);
        allowance.TryTake();

        Assert.True(allowance.Granted(end, 5));
        Assert.Equal(4, allowance.Left);
        Assert.False(allowance.Granted(end, 3));
        Assert.False(allowance.Granted(end.AddMinutes(-1), 50));
        Assert.True(allowance.Granted(end.AddMinutes(1), 3));
        Assert.Equal(3, allowance.Left);
    }

    [Fact]
    public void NoCallStarts_InTheLastSecondOfAGrant()
    {
        var allowance = Allowance();
        allowance.Granted(_time.GetUtcNow().AddSeconds(10), 5);

        _time.Advance(TimeSpan.FromSeconds(9));

        Assert.False(allowance.TryTake());
    }

    [Fact]
    public void AskFor_AsksWhenLessThanHalfIsLeft_OncePerSecondWhileUnanswered()
    {
        var allowance = Allowance();

        Assert.Equal(10, allowance.AskFor(10));
        Assert.Equal(0, allowance.AskFor(10));
        _time.Advance(QuotaAllowance.AskAgainAfter);
        Assert.Equal(10, allowance.AskFor(10));
        allowance.Granted(_time.GetUtcNow().AddMinutes(1), 10);
        Assert.Equal(0, allowance.AskFor(10));
    }

    [Fact]
    public async Task WaitForGrant_EndsWhenAGrantComes()
    {
        var allowance = Allowance();
        var waiting = allowance.WaitForGrantAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        allowance.Granted(_time.GetUtcNow().AddMinutes(1), 1);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
