using System.Threading.RateLimiting;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// Lets one attempt start: once the throttle gate is open, with a permit from the platform's bucket (pacing), and
/// with room in the call window (the platform's own window, as the platform sees the calls).
/// </summary>
internal sealed class PlatformAdmission(RateLimiter bucket, CallWindow window, ThrottleGate gate)
{
    public async ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await gate.WaitUntilOpenAsync(cancellationToken);
            var permit = await bucket.AcquireAsync(1, cancellationToken);
            if (!permit.IsAcquired)
            {
                return permit;
            }

            try
            {
                // A throttle may arrive while this caller queues. Spending the permit after the pause would release
                // every such caller at once, so it is given up and the caller queues again behind the gate.
                while (gate.IsOpen)
                {
                    if (window.TryStart(out var call))
                    {
                        return new AdmissionLease(permit, call);
                    }

                    await window.WaitForRoomAsync(cancellationToken);
                }
            }
            catch
            {
                permit.Dispose();
                throw;
            }

            permit.Dispose();
        }
    }
}
