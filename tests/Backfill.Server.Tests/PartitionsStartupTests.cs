using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Server.Tests;

[Trait("Category", "Integration")]
public sealed class PartitionsStartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-r9-").FullName;

    [Fact]
    public async Task ServeAndWorker_WithFewerActionPartitionsThanLanesOrConsumers_SaySoAtStart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:Namespace"] = "r9",
            ["Kafka:Partitions:Actions"] = "2",
            ["Backfill:DataDirectory"] = _dir,
            ["Worker:Concurrency"] = "3",
            ["Platforms:demo:Kind"] = "shopee",
            ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:9/",
            ["Platforms:demo:PartnerId"] = "1",
            ["Platforms:demo:PartnerKey"] = "r9-key",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "20",
        };
        var serveLogs = new LogCapture();
        await using var app = ServerApp.Build(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), "http://127.0.0.1:0", logging => logging.AddProvider(serveLogs));
        await app.StartAsync();
        try
        {
            settings["Kafka:BootstrapServers"] = app.Services.GetRequiredService<KafkaConnection>().BootstrapServers;
            settings["Kafka:GroupProtocol"] = "consumer";
            var workerLogs = new LogCapture();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Worker);
            builder.Logging.AddProvider(workerLogs);
            using var worker = builder.Build();
            await worker.StartAsync();
            await worker.StopAsync();

            const string Lanes = "Parallelism is capped: demo has 8 budget lanes but r9.actions has only 2 partition(s)";
            Assert.Contains(serveLogs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(Lanes, StringComparison.Ordinal));
            Assert.DoesNotContain(serveLogs.Lines, l => l.Contains("worker consumers", StringComparison.Ordinal));
            Assert.Contains(workerLogs.Lines, l => l.Contains(Lanes, StringComparison.Ordinal));
            Assert.Contains(workerLogs.Lines, l => l.Contains("Parallelism is capped: 3 worker consumers run in this process (Worker:Concurrency) but r9.actions has only 2 partition(s): 1 of them get no partition and sit idle (R9).", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
