using System.Text;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Testing;

/// <summary>What the shop tests of the API and the CLI share: a JSON body, the control topic's token announcements, a search for secrets.</summary>
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
