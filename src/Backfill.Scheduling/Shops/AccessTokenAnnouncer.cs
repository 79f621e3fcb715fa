using Backfill.Core.Shops;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Confluent.Kafka;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// Puts a shop's access token on the compacted control topic, sealed as the registry stores it, where every worker takes
/// the highest version it hears of (a worker that starts later reads it first). Called only once the token is stored, so
/// no worker ever uses a token the registry could lose.
/// </summary>
public sealed class AccessTokenAnnouncer(IProducer<string, byte[]> producer, KafkaConnection connection)
{
    /// <summary>Announces the shop's current access token; returns once the control topic has it.</summary>
    /// <exception cref="ArgumentException">The shop holds no access token.</exception>
    public async Task AnnounceAsync(ShopRecord shop, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shop);
        if (shop.AccessToken is not { Length: > 0 } sealedToken)
        {
            throw new ArgumentException($"Shop {shop.Platform}/{shop.Shop} holds no access token to announce.", nameof(shop));
        }

        // An expiry nobody told the registry stays unknown on the topic too.
        var message = ControlMessage.Token(shop.Platform, shop.Shop, shop.TokenVersion, Convert.ToBase64String(sealedToken), default, reason) with { Until = shop.AccessExpiresAt };
        await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
    }
}
