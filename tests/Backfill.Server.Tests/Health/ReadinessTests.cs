using System.Net;
using Backfill.Messaging.Embedded;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Backfill.Server.Tests.Health;

/// <summary>
/// <c>/healthz/ready</c> checks the parts the scheduler cannot work without and names the one that fails with a 503;
/// <c>/healthz/live</c> only says the process answers. Each check is made to fail on the real part: Kafka's brokers
/// down, the LiteDB file closed, Quartz in stand-by.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReadinessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AllPartsWorking_ReadyAndLive_Answer200_WithEveryCheckHealthy()
    {
        await using var harness = await ServerHarness.StartAsync();

        var (status, body) = await HealthProbe.GetAsync(harness.Http, "/healthz/ready");
        var (liveStatus, live) = await HealthProbe.GetAsync(harness.Http, "/healthz/live");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal(["kafka", "litedb", "quartz", "readers"], body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(body.GetProperty("checks").EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Empty(live.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task KafkaDown_ReadyIs503NamingKafka_LiveStays200_AndReadyComesBackWithIt()
    {
        var (harness, cluster) = await HealthProbe.StartOnOwnClusterAsync();
        using var _ = cluster;
        await using var __ = harness;
        Assert.Equal(HttpStatusCode.OK, (await HealthProbe.GetAsync(harness.Http, "/healthz/ready")).Status);

        cluster.BrokerDown(MockCluster.AllBrokers);
        await Poll.Eventually(async () => (await HealthProbe.GetAsync(harness.Http, "/healthz/ready")).Status == HttpStatusCode.ServiceUnavailable, Limit, "ready to answer 503");
        var (_, down) = await HealthProbe.GetAsync(harness.Http, "/healthz/ready");
        var (liveStatus, _) = await HealthProbe.GetAsync(harness.Http, "/healthz/live");
        cluster.BrokerUp(MockCluster.AllBrokers);

        Assert.Equal("Unhealthy", down.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
        Assert.StartsWith("Kafka did not answer", down.GetProperty("checks").GetProperty("kafka").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", down.GetProperty("checks").GetProperty("litedb").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        await Poll.Eventually(async () => (await HealthProbe.GetAsync(harness.Http, "/healthz/ready")).Status == HttpStatusCode.OK, Limit, "ready to answer 200 once Kafka is back");
    }

    [Fact]
    public async Task TheDatabaseClosed_ReadyIs503NamingLiteDb()
    {
        await using var harness = await ServerHarness.StartAsync();

        harness.App.Services.GetRequiredService<BackfillDatabase>().Dispose();
        var (status, body) = await HealthProbe.GetAsync(harness.Http, "/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var litedb = body.GetProperty("checks").GetProperty("litedb");
        Assert.Equal("Unhealthy", litedb.GetProperty("status").GetString());
        Assert.Contains("refused a write", litedb.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuartzInStandBy_ReadyIs503NamingQuartz_UntilItRunsAgain()
    {
        await using var harness = await ServerHarness.StartAsync();
        var scheduler = await harness.App.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        // Quartz's hosted service starts the scheduler once the application has started, a moment after the server answers.
        await Poll.Eventually(async () => (await HealthProbe.GetAsync(harness.Http, "/healthz/ready")).Status == HttpStatusCode.OK, Limit, "Quartz to run");
        await scheduler.Standby();
        var (status, body) = await HealthProbe.GetAsync(harness.Http, "/healthz/ready");
        await scheduler.Start();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("quartz").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await HealthProbe.GetAsync(harness.Http, "/healthz/ready")).Status);
    }
}
