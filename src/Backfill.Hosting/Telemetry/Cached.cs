namespace Backfill.Hosting.Telemetry;

/// <summary>
/// A value read at most once per <paramref name="period"/>: scrapes in between get the last one, so a scraper asking
/// often costs Kafka and LiteDB no more than one read per period. One read at a time; waiting callers share its result.
/// </summary>
public sealed class Cached<T>(TimeSpan period, TimeProvider time, Func<CancellationToken, Task<T>> read) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _value;
    private long? _readAt;

    public async Task<T> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_readAt is not { } at || time.GetElapsedTime(at) >= period)
            {
                _value = await read(cancellationToken);
                _readAt = time.GetTimestamp();
            }

            return _value!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
