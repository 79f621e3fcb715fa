namespace Backfill.Scheduling.Shops;

/// <summary>Asks the fleet's one refresher (in the scheduler) to refresh a shop's tokens now rather than ahead of expiry.</summary>
public interface ITokenRefreshRequests
{
    /// <param name="refusedVersion">
    /// The token version a worker saw refused as expired; null for a shop that has no access token yet (just added). A
    /// request for a version older than the shop's current token is satisfied already.
    /// </param>
    void RequestRefresh(string platform, string shop, long? refusedVersion);
}
