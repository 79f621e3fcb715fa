using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// The fraction of its budget a platform may use in this process: halved by each throttle event, down to
/// <see cref="ThrottleOptions.SlowestFactor"/>, and grown by a quarter every <see cref="ThrottleOptions.RecoveryEvery"/>
/// without one, back to the whole budget. <see cref="ThrottleOptions.BreakerThreshold"/> events within
/// <see cref="ThrottleOptions.BreakerWindow"/> open the breaker.
/// </summary>
internal sealed class AdaptiveRate(ThrottleOptions options, TimeProvider time)
{
    private const double Growth = 1.25;
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _events = new();
    private double _factor = 1;
    private DateTimeOffset _since = time.GetUtcNow();
    private long _throttles;

    public double Factor
    {
        get
        {
            lock (_lock)
            {
                Recover(time.GetUtcNow());
                return _factor;
            }
        }
    }

    /// <summary>Throttle events so far.</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    /// <summary>Records one throttle event; true when it opens the breaker.</summary>
    public bool Throttled()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Recover(now);
            _factor = Math.Max(options.SlowestFactor, _factor / 2);
            _since = now;
            _throttles++;
            _events.Enqueue(now);
            while (_events.Count > 0 && now - _events.Peek() > options.BreakerWindow)
            {
                _events.Dequeue();
            }

            if (_events.Count < options.BreakerThreshold)
            {
                return false;
            }

            _events.Clear();
            return true;
        }
    }

    private void Recover(DateTimeOffset now)
    {
        if (_factor >= 1)
        {
            _since = now;
            return;
        }

        var periods = (int)Math.Min((now - _since) / options.RecoveryEvery, 64);
        if (periods > 0)
        {
            _factor = Math.Min(1, _factor * Math.Pow(Growth, periods));
            _since += options.RecoveryEvery * periods;
        }
    }
}
