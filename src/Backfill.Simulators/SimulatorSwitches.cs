using System.Collections.Concurrent;

namespace Backfill.Simulators;

/// <summary>Faults to inject while the simulator runs; every member may be changed from any thread at any time.</summary>
/// <param name="seed">Draws the latencies between <see cref="Latency"/> and <see cref="LatencyMax"/>: the same seed, the same sequence.</param>
public sealed class SimulatorSwitches(int seed = 0)
{
    private readonly Lock _lock = new();
    private readonly Random _draws = new(seed);
    private TimeSpan _latency;
    private TimeSpan? _latencyMax;
    private double _transientFailureRate;
    private volatile bool _throttleEverything;
    private readonly ConcurrentQueue<SimulatorFault> _faults = new();
    private double _refuseShare;
    private TimeSpan _refuseRetryAfter = TimeSpan.FromSeconds(1);
    private TimeSpan _stallFor = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest latency: each admitted call then waits a uniform draw between <see cref="Latency"/> and this before it is
    /// answered. Null (default): always <see cref="Latency"/>. Never below <see cref="Latency"/>.
    /// </summary>
    public TimeSpan? LatencyMax
    {
        get
        {
            lock (_lock)
            {
                return _latencyMax;
            }
        }

        set
        {
            lock (_lock)
            {
                _latencyMax = value is { } max ? new LatencyRange(_latency, max).Max : null;
            }
        }
    }

    /// <summary>Added to every admitted call before it is answered (the least, with <see cref="LatencyMax"/>).</summary>
    public TimeSpan Latency
    {
        get
        {
            lock (_lock)
            {
                return _latency;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_lock)
            {
                _latency = value;
                if (_latencyMax < value)
                {
                    _latencyMax = value;
                }
            }
        }
    }

    /// <summary>The latency of the next admitted call: a draw of the seeded sequence when a range is set.</summary>
    internal TimeSpan NextLatency()
    {
        lock (_lock)
        {
            return _latencyMax is { } max && max > _latency ? new LatencyRange(_latency, max).At(_draws.NextDouble()) : _latency;
        }
    }

    /// <summary>The share (0..1) of admitted, valid calls answered with HTTP 503 or <c>error_server</c>.</summary>
    public double TransientFailureRate
    {
        get
        {
            lock (_lock)
            {
                return _transientFailureRate;
            }
        }

        set
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "must be between 0 and 1");
            }

            lock (_lock)
            {
                _transientFailureRate = value;
            }
        }
    }

    /// <summary>Shop ids whose calls are answered with <c>error_auth</c>.</summary>
    public ICollection<string> AuthFailShops { get; } = new SynchronizedSet<string>(StringComparer.Ordinal);

    /// <summary>When on, every call is answered 429 <c>too_many_request</c> with Retry-After: 1, before the call limit.</summary>
    public bool ThrottleEverything
    {
        get => _throttleEverything;
        set => _throttleEverything = value;
    }
    /// <summary>Shop ids whose access token has expired: their calls are answered 403 <c>invalid_access_token</c>.</summary>
    public ICollection<string> ExpiredTokenShops { get; } = new SynchronizedSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The share (0..1) of arriving calls refused with 429 <c>too_many_request</c> and Retry-After
    /// <see cref="RefuseRetryAfter"/>, before the call limit: a throttle storm. Drawn from a stable hash of the arrival count.
    /// </summary>
    public double RefuseShare
    {
        get
        {
            lock (_lock)
            {
                return _refuseShare;
            }
        }

        set
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "must be between 0 and 1");
            }

            lock (_lock)
            {
                _refuseShare = value;
            }
        }
    }

    /// <summary>The Retry-After of the calls <see cref="RefuseShare"/> refuses, in whole seconds (at least 1). Default 1 s.</summary>
    public TimeSpan RefuseRetryAfter
    {
        get
        {
            lock (_lock)
            {
                return _refuseRetryAfter;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            lock (_lock)
            {
                _refuseRetryAfter = TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));
            }
        }
    }

    /// <summary>How long a <see cref="SimulatorFault.Stall"/> holds its call. Default 30 s.</summary>
    public TimeSpan StallFor
    {
        get
        {
            lock (_lock)
            {
                return _stallFor;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_lock)
            {
                _stallFor = value;
            }
        }
    }

    /// <summary>Faults queued and not yet answered.</summary>
    public int PendingFaults => _faults.Count;

    /// <summary>The next <paramref name="calls"/> calls that pass the call limit and authentication are answered with <paramref name="fault"/>, after any queued before.</summary>
    public void InjectBurst(SimulatorFault fault, int calls)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(calls);
        for (var i = 0; i < calls; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    internal bool TryTakeFault(out SimulatorFault fault) => _faults.TryDequeue(out fault);
}
