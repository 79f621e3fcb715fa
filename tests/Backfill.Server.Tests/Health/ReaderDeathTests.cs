using System.Net;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Server.Tests.Health;

/// <summary>
/// A reader of the scheduler that ends never goes unnoticed: the process stops, naming the reader, and while it lives
/// <c>/healthz</c> answers 503 naming it. Here the progress reader meets a report it must park while the dead-letter
/// topic refuses every write, so its handling fails on the infrastructure until it gives up.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReaderDeathTests
{
    [Fact]
    public async Task ADeadProgressReader_StopsTheServer_WithACriticalLineNamingIt()
    {
        var logs = new LogCapture();
        var (harness, cluster) = await StartAsync(logs);
        using var _ = cluster;
        await using var __ = harness;
        var stopping = new TaskCompletionSource();
        using var registration = harness.App.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        await SendImpossibleProgressAsync(harness);

        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var watch = harness.App.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single(s => s.GetType().Name == "ReaderWatch");
        await Poll.Eventually(() => Task.FromResult(watch.ExecuteTask is { IsFaulted: true }), TimeSpan.FromSeconds(10), "the reader watch to fail");
        var failure = Assert.IsType<ReaderEndedException>(watch.ExecuteTask!.Exception!.GetBaseException());
        Assert.Contains("srv.progress", failure.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("srv.progress", StringComparison.Ordinal) && l.Contains("ENDED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADeadProgressReader_MakesHealthz503NamingIt_WhileTheProcessLives()
    {
        // A host told to outlive a failed background service: the process lives on, and only /healthz can tell.
        var (harness, cluster) = await StartAsync(services: s => s.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore));
        using var _ = cluster;
        await using var __ = harness;
        using (var healthy = await harness.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        await SendImpossibleProgressAsync(harness);

        await Poll.Eventually(async () => (await harness.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "/healthz to answer 503");
        var (_, body) = await HealthProbe.GetAsync(harness.Http, "/healthz");
        var readers = body.GetProperty("checks").GetProperty("readers");
        Assert.Equal("Unhealthy", readers.GetProperty("status").GetString());
        Assert.StartsWith("the reader of srv.progress (group ", readers.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("failed 7 times in a row", readers.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A server on a cluster of the test's, whose dead-letter topic refuses every write once the server has started.</summary>
    private static async Task<(ServerHarness Harness, MockCluster Cluster)> StartAsync(ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var (harness, cluster) = await HealthProbe.StartOnOwnClusterAsync(logs, services);
        cluster.SetTopicError(new TopicNames("srv").DeadLetters, ErrorCode.TopicAuthorizationFailed);
        return (harness, cluster);
    }

    /// <summary>A well-formed report no release caused (an unknown slice): the reader must park it, and cannot.</summary>
    private static async Task SendImpossibleProgressAsync(ServerHarness harness)
    {
        var clients = harness.App.Services.GetRequiredService<KafkaClients>();
        using var producer = clients.CreateProducer("outsider");
        var report = new ProgressMessage { Kind = ProgressKind.SliceSucceeded, Job = "j", Slice = "j/30001/20240301", Attempt = 1, Step = 0, At = DateTimeOffset.UnixEpoch };
        await producer.ProduceAsync(clients.Connection.Topics.Progress, new Message<string, byte[]> { Key = report.Job, Value = MessageCodec.Encode(report) });
    }
}
