namespace Backfill.Core.Release;

/// <summary>How many slices to release now, and if none, why not.</summary>
public sealed record ReleaseDecision(int Count, string Reason)
{
    public static ReleaseDecision Hold(string reason) => new(0, reason);
}
