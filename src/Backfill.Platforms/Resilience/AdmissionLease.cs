using System.Threading.RateLimiting;

namespace Backfill.Platforms.Resilience;

/// <summary>The call's places in its windows (lane, shop); Polly disposes the lease when the attempt is over, which ends the call.</summary>
internal sealed class AdmissionLease(params CallWindow.Call[] calls) : RateLimitLease
{
    private TimeSpan? _late;

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

    /// <summary>
    /// The attempt was given up on before its answer came: its request may still reach the platform up to
    /// <paramref name="late"/> after the attempt is over, and is counted in its windows as arriving then.
    /// </summary>
    public void GivenUp(TimeSpan late) => _late = late;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var call in calls)
            {
                if (_late is { } late)
                {
                    call.Unanswered(late);
                }
                else
                {
                    call.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }
}
