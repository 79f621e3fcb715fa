namespace Backfill.Platforms.Tokens;

/// <summary>
/// The worker's token book: version 0 of each shop from configuration, then every newer version offered (the scheduler's
/// announcements, opened by the worker's control reader). Versions only grow, so a token announced twice, or read again
/// from the compacted topic by a process that starts later, changes nothing.
/// </summary>
internal sealed class ShopTokens : IShopTokens
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ShopToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _changed = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="configured">The access tokens of the configuration (<c>Platforms:{p}:Shops:{id}:AccessToken</c>), version 0.</param>
    public ShopTokens(TimeProvider time, IEnumerable<(string Platform, string Shop, string AccessToken)> configured)
    {
        _time = time;
        foreach (var (platform, shop, token) in configured)
        {
            if (!string.IsNullOrWhiteSpace(token))
            {
                _tokens[Key(platform, shop)] = new ShopToken(token, 0);
            }
        }
    }

    public ShopToken? Current(string platform, string shop)
    {
        lock (_lock)
        {
            return _tokens.GetValueOrDefault(Key(platform, shop));
        }
    }

    public bool Offer(string platform, string shop, ShopToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = Key(platform, shop);
        TaskCompletionSource? changed;
        lock (_lock)
        {
            if (_tokens.TryGetValue(key, out var current) && current.Version >= token.Version)
            {
                return false;
            }

            _tokens[key] = token;
            _changed.Remove(key, out changed);
        }

        changed?.TrySetResult();
        return true;
    }

    public async Task<bool> WaitForNewerAsync(string platform, string shop, long version, TimeSpan limit, CancellationToken cancellationToken)
    {
        var key = Key(platform, shop);
        var started = _time.GetTimestamp();
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_tokens.TryGetValue(key, out var current) && current.Version > version)
                {
                    return true;
                }

                if (!_changed.TryGetValue(key, out var signal))
                {
                    _changed[key] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed = signal.Task;
            }

            var left = limit - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await changed.WaitAsync(left, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Checked once more above: a token offered at the very end still counts.
            }
        }
    }

    // Configuration keys, and so platform names, are case-insensitive; shop ids are the platform's own.
    private static string Key(string platform, string shop) => $"{platform.ToLowerInvariant()}:{shop}";
}
