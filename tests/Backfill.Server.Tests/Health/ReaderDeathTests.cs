using System.Net;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Server.Tests.TestSupport;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.Server.Tests.Health;

/// <summary>
/// A reader of the scheduler that ends (here: its store is gone, so every progress report fails on the infrastructure
/// until the reader gives up) never goes unnoticed: the process stops, naming the reader, and while it lives
/// <c>/healthz</c> answers 503 naming it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReaderDeathTests
{
    [Fact]
    public async Task ADeadProgressReader_StopsTheServer_WithACriticalLineNamingIt()
    {
        var logs = new AllLevelsLoggerProvider();
        await using var harness = await ServerHarness.StartAsync(logs: logs);
        var stopping = new TaskCompletionSource();
        using var registration = harness.App.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        await KillProgressReaderAsync(harness);

        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var watch = harness.App.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single(s => s.GetType().Name == "ReaderWatch");
        await ServerHarness.Eventually(() => Task.FromResult(watch.ExecuteTask is { IsFaulted: true }), TimeSpan.FromSeconds(10), "the reader watch to fail");
        var failure = Assert.IsType<ReaderEndedException>(watch.ExecuteTask!.Exception!.GetBaseException());
        Assert.Contains("srv.progress", failure.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("srv.progress", StringComparison.Ordinal) && l.Contains("ENDED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADeadProgressReader_MakesHealthz503NamingIt_WhileTheProcessLives()
    {
        // A host told to outlive a failed background service: the process lives on, and only /healthz can tell.
        await using var harness = await ServerHarness.StartAsync(services: s => s.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore));
        using (var healthy = await harness.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        await KillProgressReaderAsync(harness);

        await ServerHarness.Eventually(async () => (await harness.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "/healthz to answer 503");
        using var response = await harness.Http.GetAsync("/healthz");
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("unhealthy: the reader of srv.progress (group ", body, StringComparison.Ordinal);
        Assert.Contains("failed 7 times in a row", body, StringComparison.Ordinal);
    }

    /// <summary>Closes the scheduler's store, then sends a well-formed report: applying it fails until the reader gives up.</summary>
    private static async Task KillProgressReaderAsync(ServerHarness harness)
    {
        harness.App.Services.GetRequiredService<BackfillDatabase>().Dispose();
        var clients = harness.App.Services.GetRequiredService<KafkaClients>();
        using var producer = clients.CreateProducer("outsider");
        var report = new ProgressMessage { Kind = ProgressKind.StepStarted, Job = "j", Slice = "j/30001/20240301", Attempt = 1, Step = 0, At = DateTimeOffset.UnixEpoch };
        await producer.ProduceAsync(clients.Connection.Topics.Progress, new Message<string, byte[]> { Key = report.Job, Value = MessageCodec.Encode(report) });
    }
}
