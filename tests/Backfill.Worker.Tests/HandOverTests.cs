using System.Globalization;
using Backfill.Core.Data;
using Backfill.Platforms;
using Backfill.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Worker.Tests;

/// <summary>
/// A partition leaving this worker is handed over only once no call of this process is under way in its lanes' windows:
/// its own steps' calls, and the calls that other partitions' steps made in its lanes' lent places. A real simulator over
/// HTTP that answers after a latency, and the real adapter and budget.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HandOverTests : IAsyncLifetime
{
    private const string Platform = "demo";
    private const string Shop = "10001";
    private const string Token = "token-10001-secret";
    private const long PartnerId = 2_001_887;
    private const string PartnerKey = "partner-key-secret";
    private static readonly TimeSpan Latency = TimeSpan.FromSeconds(1.5);
    private static readonly DateTimeOffset Day = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly OwnershipLease _lease = HeldLease.Create();
    private PlatformSimulator _sim = null!;
    private ServiceProvider _platforms = null!;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(new SimulatorOptions { PartnerId = PartnerId, PartnerKey = PartnerKey, AccessTokens = { [Shop] = Token } });

        _platforms = Platforms();
    }

    /// <summary>Four calls a second in two lanes of two, counted strict; <paramref name="timeout"/> per call, tried once.</summary>
    private ServiceProvider Platforms(TimeSpan? timeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Platforms:{Platform}:Kind"] = "shopee",
            [$"Platforms:{Platform}:BaseUrl"] = _sim.BaseUrl.ToString(),
            [$"Platforms:{Platform}:PartnerId"] = PartnerId.ToString(CultureInfo.InvariantCulture),
            [$"Platforms:{Platform}:PartnerKey"] = PartnerKey,
            [$"Platforms:{Platform}:Shops:{Shop}:AccessToken"] = Token,
            [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = "4",
            [$"Platforms:{Platform}:RateLimit:Lanes"] = "2",
            [$"Platforms:{Platform}:Retry:MaxAttempts"] = "1",
            [$"Platforms:{Platform}:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString(),
        }).Build();
        return new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddPlatforms(configuration).BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _platforms.DisposeAsync();
        await _sim.DisposeAsync();
    }

    /// <summary>One call: the first page of the slice's returns, on <paramref name="lane"/> of two.</summary>
    private Task<RecordPage> CallAsync(int lane, LaneLending lending, ServiceProvider? platforms = null) =>
        (platforms ?? _platforms).GetRequiredService<IOrderSources>().Get(Platform).FetchAsync(
            new PageRequest(Shop, Day, Day.AddDays(1), SliceCursor.Parse(null, Datasets.Returns))
            {
                Data = Datasets.Returns,
                Lane = new LaneRef(lane, 2),
                Ownership = _lease,
                Lending = lending,
            },
            CancellationToken.None);

    private int InWindow(int lane) => _platforms.GetRequiredService<IOrderSources>().Budget(Platform).Lanes.Single(l => l.Lane == lane).InWindow;

    [Fact]
    public async Task APartitionLeaving_IsHandedOverOnlyOnceTheCallsInItsLanesLentPlacesAreAnswered()
    {
        // Partition A carries lane 1 here (one call made), partition B lane 0.
        using var partitionA = new PartitionSteps(() => 4, TimeProvider.System, _lease);
        using var partitionB = new PartitionSteps(() => 4, TimeProvider.System, _lease);
        await CallAsync(1, partitionA.Lending);
        _sim.Switches.Latency = Latency;

        // B's steps make three calls at once: two fill lane 0, the third takes lane 1's free place.
        var calls = Enumerable.Range(0, 3).Select(_ => CallAsync(0, partitionB.Lending)).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (InWindow(1) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var lent = InWindow(1);
        partitionA.Leave();
        var handOver = partitionA.HandOverAsync();
        var handedOverWhileAnswerDue = await Task.WhenAny(handOver, Task.Delay(Latency / 2)) == handOver;
        var lentAnsweredBefore = calls.Any(c => c.IsCompleted);

        Assert.Equal(2, lent);
        Assert.False(lentAnsweredBefore);
        Assert.False(handedOverWhileAnswerDue);
        await handOver.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(calls, c => c.IsCompletedSuccessfully);
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task APartitionLeaving_AfterACallGivenUpOn_IsHandedOverOnlyOnceThatCallCanNoLongerReachThePlatform()
    {
        var timeout = TimeSpan.FromMilliseconds(600);
        await using var platforms = Platforms(timeout);
        using var partition = new PartitionSteps(() => 4, TimeProvider.System, _lease);
        _sim.Switches.Latency = TimeSpan.FromSeconds(3);
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAsync<PlatformException>(() => CallAsync(1, partition.Lending, platforms));

        partition.Leave();
        TimeSpan? told = null;
        await partition.HandOverAsync(late => told = late).WaitAsync(TimeSpan.FromSeconds(10));
        var handedOverAfter = TimeProvider.System.GetElapsedTime(started);

        // Given up on a timeout after its start, the call may reach the platform until a timeout after that (a few ms
        // for the clocks' reading).
        Assert.NotNull(told);
        Assert.InRange(told.Value, TimeSpan.FromTicks(1), timeout);
        Assert.True(handedOverAfter >= timeout + timeout - TimeSpan.FromMilliseconds(10), $"handed over {handedOverAfter.TotalMilliseconds} ms after the call started");
    }
}
