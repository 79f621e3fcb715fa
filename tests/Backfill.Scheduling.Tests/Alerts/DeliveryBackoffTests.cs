using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

public sealed class DeliveryBackoffTests
{
    private static readonly DeliveryRetryOptions Options = new() { MaxAttempts = 8, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) };

    [Fact]
    public void Delay_DoublesFromTheBase_UpToTheMaximum()
    {
        var waits = Enumerable.Range(0, 7).Select(n => DeliveryBackoff.Delay(n, Options).TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], waits);
    }

    [Fact]
    public void Delay_ALongerRetryAfter_IsHonoured_ButNotBeyondTheMaximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), DeliveryBackoff.Delay(0, Options, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(4), DeliveryBackoff.Delay(2, Options, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(30), DeliveryBackoff.Delay(0, Options, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Delay_ManyRetries_StayAtTheMaximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), DeliveryBackoff.Delay(1000, Options));
    }
}
