using System.Threading.RateLimiting;

namespace Backfill.Platforms.Resilience;

/// <summary>The call's places in its windows (lane, shop); Polly disposes the lease when the attempt is over, which ends the call.</summary>
internal sealed class AdmissionLease(params CallWindow.Call[] calls) : RateLimitLease
{
    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

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
                call.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
