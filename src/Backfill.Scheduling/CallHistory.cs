namespace Backfill.Scheduling;

/// <summary>One bucket of a platform's <see cref="CallHistory"/>: its start, its calls per second and the throttle answers reported in it.</summary>
public sealed record CallPoint(DateTimeOffset At, double CallsPerSecond, int Throttles);

/// <summary>
/// The calls a platform's workers reported over the last <see cref="Window"/>, in buckets of <see cref="Bucket"/>. A step is
/// reported when it ends, with its calls and how long it took; its calls are spread evenly over that time, so a long
/// step does not show as a burst at its end. A step's time includes its waits for the budget, so a bucket shows the
/// rate the fleet kept, never more than it made. Memory is one ring of <c>Window / Bucket</c> buckets.
/// </summary>
public sealed class CallHistory
{
    private readonly Lock _lock = new();
    private readonly double[] _calls;
    private readonly int[] _throttles;
    private readonly long[] _numbers;

    public CallHistory(TimeSpan bucket, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, bucket);
        Bucket = bucket;
        Window = window;
        var size = (int)(window.Ticks / bucket.Ticks);
        _calls = new double[size];
        _throttles = new int[size];
        _numbers = new long[size];
        Array.Fill(_numbers, long.MinValue);
    }

    public TimeSpan Bucket { get; }

    public TimeSpan Window { get; }

    /// <summary>A step that ended at <paramref name="end"/> after <paramref name="elapsed"/>, with its calls and throttle answers (counted at its end).</summary>
    public void Add(DateTimeOffset end, TimeSpan elapsed, int calls, int throttles)
    {
        var start = end - (elapsed > TimeSpan.Zero ? elapsed : TimeSpan.Zero);
        lock (_lock)
        {
            if (calls > 0)
            {
                if (start == end)
                {
                    At(Number(end)) += calls;
                }
                else
                {
                    var perTick = calls / (double)(end - start).Ticks;
                    for (var n = Number(start); n <= Number(end); n++)
                    {
                        var from = Math.Max(start.UtcTicks, n * Bucket.Ticks);
                        var to = Math.Min(end.UtcTicks, (n + 1) * Bucket.Ticks);
                        if (to > from)
                        {
                            At(n) += perTick * (to - from);
                        }
                    }
                }
            }

            if (throttles > 0)
            {
                var bucket = Number(end);
                At(bucket);
                _throttles[Slot(bucket)] += throttles;
            }
        }
    }

    /// <summary>The buckets of the window that ends with the one holding <paramref name="now"/>, oldest first; empty ones too.</summary>
    public IReadOnlyList<CallPoint> Points(DateTimeOffset now)
    {
        var last = Number(now);
        var points = new List<CallPoint>(_calls.Length);
        lock (_lock)
        {
            for (var n = last - _calls.Length + 1; n <= last; n++)
            {
                var slot = Slot(n);
                var held = _numbers[slot] == n;
                points.Add(new CallPoint(
                    new DateTimeOffset(n * Bucket.Ticks, TimeSpan.Zero),
                    held ? Math.Round(_calls[slot] / Bucket.TotalSeconds, 3) : 0,
                    held ? _throttles[slot] : 0));
            }
        }

        return points;
    }

    private long Number(DateTimeOffset at) => at.UtcTicks / Bucket.Ticks;

    private int Slot(long number) => (int)(number % _calls.Length);

    /// <summary>The calls of bucket <paramref name="number"/>, its slot cleared first when it held an older bucket.</summary>
    private ref double At(long number)
    {
        var slot = Slot(number);
        if (_numbers[slot] != number)
        {
            _numbers[slot] = number;
            _calls[slot] = 0;
            _throttles[slot] = 0;
        }

        return ref _calls[slot];
    }
}
