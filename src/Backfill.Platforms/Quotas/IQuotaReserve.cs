namespace Backfill.Platforms.Quotas;

/// <summary>Where a call made outside the workers (the scheduler's token refresh) takes its place in a platform's quotas.</summary>
public interface IQuotaReserve
{
    /// <summary>Returns once one call of the platform's quotas is kept for the caller; at once for a platform without quotas.</summary>
    Task ReserveAsync(string platform, CancellationToken cancellationToken);
}
