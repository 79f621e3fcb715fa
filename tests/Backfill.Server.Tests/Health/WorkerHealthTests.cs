using System.Net;
using Backfill.Hosting;
using Backfill.Messaging.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Backfill.Server.Tests.Health;

/// <summary>A worker answers /healthz/live and /healthz/ready on Worker:HealthUrl when it is set, and opens no port when not.</summary>
[Trait("Category", "Integration")]
public sealed class WorkerHealthTests
{
    [Fact]
    public async Task WithAHealthUrl_ReadyChecksKafkaAndTheReaders_AndIs503WhileKafkaIsDown()
    {
        var (harness, cluster) = await HealthProbe.StartOnOwnClusterAsync();
        using var _ = cluster;
        await using var __ = harness;
        using var worker = WorkerApp.Build(Worker(harness, "http://127.0.0.1:0"));
        await worker.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(((WebApplication)worker).Urls.Single()) };

        var (status, body) = await HealthProbe.GetAsync(http, "/healthz/ready");
        cluster.BrokerDown(MockCluster.AllBrokers);
        await Poll.Eventually(async () => (await HealthProbe.GetAsync(http, "/healthz/ready")).Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "the worker's ready to answer 503");
        var (_, down) = await HealthProbe.GetAsync(http, "/healthz/ready");
        var (liveStatus, _) = await HealthProbe.GetAsync(http, "/healthz/live");
        cluster.BrokerUp(MockCluster.AllBrokers);
        await worker.StopAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["kafka", "readers"], body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, liveStatus);
    }

    [Fact]
    public async Task WithoutAHealthUrl_OpensNoPort()
    {
        await using var harness = await ServerHarness.StartAsync();

        using var worker = WorkerApp.Build(Worker(harness, null));

        Assert.IsNotType<WebApplication>(worker);
    }

    [Theory]
    [InlineData("5081")]
    [InlineData("https://127.0.0.1:5081")]
    [InlineData("http://127.0.0.1:5081/health")]
    public void Validate_AHealthUrlThatIsNoPlaceToListen_NamesTheKey(string url)
    {
        var errors = ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Worker:HealthUrl"] = url }).Build());

        Assert.Contains(errors, e => e.StartsWith($"Worker:HealthUrl '{url}' is not a URL to listen on", StringComparison.Ordinal));
    }

    private static IConfiguration Worker(ServerHarness harness, string? healthUrl) =>
        new ConfigurationBuilder()
            .AddConfiguration(harness.Configuration)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = harness.Bootstrap, ["Worker:HealthUrl"] = healthUrl })
            .Build();
}
