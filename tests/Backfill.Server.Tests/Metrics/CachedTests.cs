using Backfill.Hosting.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Server.Tests.Metrics;

public sealed class CachedTests
{
    private readonly FakeTimeProvider _time = new();
    private int _reads;

    [Fact]
    public async Task Get_WithinThePeriod_ReturnsTheLastValueWithoutReading()
    {
        using var cached = new Cached<int>(TimeSpan.FromSeconds(5), _time, Read);

        Assert.Equal(1, await cached.GetAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(1, await cached.GetAsync(CancellationToken.None));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task Get_AfterThePeriod_ReadsAgain()
    {
        using var cached = new Cached<int>(TimeSpan.FromSeconds(5), _time, Read);
        await cached.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(2, await cached.GetAsync(CancellationToken.None));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task Get_ConcurrentCallers_ShareOneRead()
    {
        var release = new TaskCompletionSource();
        using var cached = new Cached<int>(TimeSpan.FromSeconds(5), _time, async _ =>
        {
            await release.Task;
            return Interlocked.Increment(ref _reads);
        });

        var first = cached.GetAsync(CancellationToken.None);
        var second = cached.GetAsync(CancellationToken.None);
        release.SetResult();

        var values = await Task.WhenAll(first, second);
        Assert.Equal([1, 1], values);
        Assert.Equal(1, _reads);
    }

    private Task<int> Read(CancellationToken cancellationToken) => Task.FromResult(Interlocked.Increment(ref _reads));
}
