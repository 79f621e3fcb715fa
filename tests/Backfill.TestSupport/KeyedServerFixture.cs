using System.Collections.Concurrent;
using Backfill.Core.Secrets;
using Backfill.Scheduling.Shops;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Testing;

/// <summary>What the refresher was asked, as its interface is called; the refresher itself runs elsewhere.</summary>
internal sealed class RecordedRefreshRequests : ITokenRefreshRequests
{
    public ConcurrentQueue<(string Platform, string Shop, long? RefusedVersion)> Requests { get; } = new();

    public void RequestRefresh(string platform, string shop, long? refusedVersion) => Requests.Enqueue((platform, shop, refusedVersion));
}

/// <summary>A server whose fleet has a secret key, with every log line kept and the refresher's requests recorded.</summary>
public sealed class KeyedServerFixture : IAsyncLifetime
{
    internal static readonly string Key = SecretBox.NewKey();

    private ServerHarness? _harness;

    internal ServerHarness Harness => _harness ?? throw new InvalidOperationException("not started");

    internal RecordedRefreshRequests Refreshes { get; } = new();

    internal LogCapture Logs { get; } = new();

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync(
        settings: new Dictionary<string, string?> { ["Backfill:SecretKey"] = Key },
        services: s => s.AddSingleton<ITokenRefreshRequests>(Refreshes),
        logs: Logs);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
