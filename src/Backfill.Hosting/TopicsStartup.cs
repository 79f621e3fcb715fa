using Backfill.Messaging.Clients;
using Backfill.Messaging.Topics;
using Microsoft.Extensions.Hosting;

namespace Backfill.Hosting;

/// <summary>Before any consumer starts: the product's topics exist (created on a real cluster when missing).</summary>
internal sealed class TopicsStartup(KafkaClients clients) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => TopicProvisioner.EnsureAsync(clients, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
