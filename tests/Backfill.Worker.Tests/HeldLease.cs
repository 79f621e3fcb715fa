using Backfill.Platforms;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Worker.Tests;

internal static class HeldLease
{
    /// <summary>A consumer's lease renewed without a gap for its whole length, then its clock stops: held for the test's life.</summary>
    public static OwnershipLease Create()
    {
        var clock = new FakeTimeProvider();
        var lease = new OwnershipLease(TimeSpan.FromSeconds(1), clock);
        for (var i = 0; i <= 10; i++)
        {
            lease.Renew();
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        lease.Renew();
        return lease;
    }
}
