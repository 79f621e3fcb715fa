using System.Threading.Channels;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// The refresh requests waiting for the <see cref="TokenRefresher"/>: from workers that saw a token refused (through the
/// control topic) and from shops added without an access token. Its own type so that the registry, which asks, and the
/// refresher, which reads, depend on it and not on each other.
/// </summary>
public sealed class TokenRefreshQueue : ITokenRefreshRequests
{
    private readonly Channel<(string Platform, string Shop, long? Version)> _requests =
        Channel.CreateUnbounded<(string, string, long?)>(new UnboundedChannelOptions { SingleReader = true });

    public void RequestRefresh(string platform, string shop, long? refusedVersion) => _requests.Writer.TryWrite((platform, shop, refusedVersion));

    internal ChannelReader<(string Platform, string Shop, long? Version)> Reader => _requests.Reader;
}
