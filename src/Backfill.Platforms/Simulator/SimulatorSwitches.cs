namespace Backfill.Platforms.Simulator;

/// <summary>Faults to inject while the simulator runs; every member may be changed from any thread at any time.</summary>
public sealed class SimulatorSwitches
{
    private readonly Lock _lock = new();
    private TimeSpan _latency;
    private double _transientFailureRate;
    private volatile bool _throttleEverything;

    /// <summary>Added to every admitted call before it is answered.</summary>
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
            }
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
}
