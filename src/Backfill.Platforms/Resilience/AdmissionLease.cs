using System.Threading.RateLimiting;

namespace Backfill.Platforms.Resilience;

/// <summary>The bucket's permit and the call's place in the window; Polly disposes it when the attempt is over, which ends the call.</summary>
internal sealed class AdmissionLease(RateLimitLease permit, CallWindow.Call call) : RateLimitLease
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
            call.Dispose();
            permit.Dispose();
        }

        base.Dispose(disposing);
    }
}
