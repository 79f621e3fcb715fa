namespace Backfill.Core.Release;

/// <summary>What a release may do for one job right now.</summary>
/// <param name="PendingSlices">Slices of the job still in the store.</param>
/// <param name="InFlightOnPlatform">Released or running slices of every job of the job's platform.</param>
/// <param name="MaxInFlightPerPlatform">The cap on slices in flight per platform (R1).</param>
public sealed record ReleaseLimits(int PendingSlices, int InFlightOnPlatform, int MaxInFlightPerPlatform);
