using System.Collections.Concurrent;
using System.Text;
using Backfill.Core.Secrets;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Shops;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Shops;

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

internal static class ShopsTestSupport
{
    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The newest <c>Token</c> message of the shop on the control topic, or null when none comes within the deadline.</summary>
    public static ControlMessage? AnnouncedToken(ServerHarness harness, string shop, long version)
    {
        var clients = harness.App.Services.GetRequiredService<KafkaClients>();
        var topic = harness.App.Services.GetRequiredService<KafkaConnection>().Topics.Control;
        using var consumer = clients.ConsumerBuilder($"shops-tests-{Guid.NewGuid():N}", "shops-tests").Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200))?.Message is { } message && message.Key == $"token:demo:{shop}"
                    && MessageCodec.Decode<ControlMessage>(message.Value) is { TokenVersion: var v } token && v == version)
                {
                    return token;
                }
            }

            return null;
        }
        finally
        {
            consumer.Close();
        }
    }

    public static bool Holds(string text, IEnumerable<string> secrets, out string found)
    {
        found = string.Join(", ", secrets.Where(s => text.Contains(s, StringComparison.Ordinal)));
        return found.Length > 0;
    }
}
