using System.Net.Sockets;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// The connections one platform's client is opening. A request that waits for a new connection pays its set-up (TCP,
/// then TLS: one to three round trips) after leaving the process and before reaching the platform, a delay no jitter
/// margin covers; so the call whose request starts a connection, and every call whose request leaves while one is being
/// opened, is counted strict (<see cref="DepartureHandler"/>). An opening is over when the connection is ready for its
/// first request, when it failed, or, should neither be seen (a TLS failure), once <paramref name="longest"/> (the
/// platform's timeout: no request waits longer) has passed since it started.
/// </summary>
internal sealed class ConnectionWatch(TimeSpan longest, TimeProvider time)
{
    private readonly Lock _lock = new();

    // The request that started each opening, and when.
    private readonly Dictionary<HttpRequestMessage, long> _opening = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether a connection is being opened now.</summary>
    public bool Opening
    {
        get
        {
            lock (_lock)
            {
                // Asked before every request: nothing to look through while no connection is being opened.
                if (_opening.Count == 0)
                {
                    return false;
                }

                var now = time.GetTimestamp();
                foreach (var (request, started) in _opening.Where(o => time.GetElapsedTime(o.Value, now) >= longest).ToList())
                {
                    _opening.Remove(request);
                }

                return _opening.Count > 0;
            }
        }
    }

    /// <summary>A connection is being opened for <paramref name="initial"/>; its call is counted strict from now.</summary>
    public void Started(HttpRequestMessage initial)
    {
        lock (_lock)
        {
            _opening[initial] = time.GetTimestamp();
        }

        if (initial.Options.TryGetValue(DepartureHandler.CallKey, out var call))
        {
            call.Connecting();
        }
    }

    /// <summary>The connection started for <paramref name="initial"/> is ready, or failed.</summary>
    public void Ended(HttpRequestMessage initial)
    {
        lock (_lock)
        {
            _opening.Remove(initial);
        }
    }

    /// <summary>The platform client's connection handler, reporting its connections' openings here.</summary>
    public SocketsHttpHandler Handler(TimeSpan pooledConnectionLifetime) => new()
    {
        PooledConnectionLifetime = pooledConnectionLifetime,
        ConnectCallback = async (context, cancellationToken) =>
        {
            Started(context.InitialRequestMessage);

            // What the handler does by itself without a callback: one dual-mode socket, Nagle off.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                Ended(context.InitialRequestMessage);
                throw;
            }
        },
        PlaintextStreamFilter = (context, _) =>
        {
            Ended(context.InitialRequestMessage);
            return ValueTask.FromResult(context.PlaintextStream);
        },
    };
}
