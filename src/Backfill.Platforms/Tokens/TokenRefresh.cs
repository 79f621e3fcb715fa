using Backfill.Platforms.Quotas;
using Backfill.Platforms.Resilience;

namespace Backfill.Platforms.Tokens;

/// <summary>
/// The configured platforms' token refreshes, as the fleet's one refresher calls them. Each platform's refreshes pass a
/// window of one call per budget window, the place the lane plan keeps for them (docs/rate-budget.md, "Token calls"), and
/// take a call of the platform's quotas from <see cref="IQuotaReserve"/> when there is one (the scheduler's ledger).
/// </summary>
internal sealed class TokenRefresh : ITokenRefresh
{
    private readonly Dictionary<string, (IPlatformTokenRefresh Refresh, CallWindow Window, TimeSpan Timeout)> _targets;

    private readonly IQuotaReserve? _quotas;

    public TokenRefresh(IEnumerable<(string Platform, LanePlan Plan, TimeSpan Timeout, IPlatformTokenRefresh Refresh)> platforms, TimeProvider time, IQuotaReserve? quotas = null)
    {
        _quotas = quotas;
        _targets = platforms.ToDictionary(p => p.Platform, p => (p.Refresh, new CallWindow(1, p.Plan.Window, time, p.Plan.Counting), p.Timeout), StringComparer.OrdinalIgnoreCase);
        Platforms = [.. _targets.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyCollection<string> Platforms { get; }

    public async Task<RefreshedTokens> RefreshAsync(string platform, string shop, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        if (!_targets.TryGetValue(platform, out var target))
        {
            throw new UnknownPlatformException(platform, Platforms);
        }

        if (_quotas is not null)
        {
            await _quotas.ReserveAsync(platform, cancellationToken);
        }

        CallWindow.Call? call;
        while (!target.Window.TryStart(out call))
        {
            await target.Window.WaitForRoomAsync(cancellationToken);
        }

        using (call)
        {
            try
            {
                Departing.Current = call;
                return await target.Refresh.RefreshAsync(shop, refreshToken, cancellationToken);
            }
            catch (Exception e) when (PlatformHttp.IsGivenUp(e))
            {
                // A platform still busy with the request may count it as late as one timeout more.
                call.Unanswered(target.Timeout);
                throw;
            }
        }
    }
}
