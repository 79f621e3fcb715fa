using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Hosting;
using Backfill.Messaging.Embedded;
using Backfill.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// The deployed shape on real parts: <c>serve</c> (scheduler and its HTTP API on 127.0.0.1) and a worker host, meeting
/// only through a shared mock cluster, against the harness's simulator. Jobs and commands go through the HTTP API.
/// </summary>
internal sealed class ServerRun : IAsyncDisposable
{
    private readonly MockCluster _cluster;
    private readonly IHost _worker;

    private ServerRun(Harness harness, MockCluster cluster, WebApplication server, IHost worker)
    {
        Harness = harness;
        _cluster = cluster;
        Server = server;
        _worker = worker;
        Http = new HttpClient { BaseAddress = new Uri(server.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Harness Harness { get; }

    public WebApplication Server { get; }

    public HttpClient Http { get; }

    public static async Task<ServerRun> StartAsync(Harness harness)
    {
        var cluster = harness.ShareCluster();
        var server = ServerApp.Build(harness.Configuration(), "http://127.0.0.1:0", Harness.Logging);
        await server.StartAsync();
        var worker = harness.Host(BackfillRoles.Worker);
        await worker.StartAsync();
        return new ServerRun(harness, cluster, server, worker);
    }

    /// <summary>Creates a job through <c>POST /api/jobs</c>; returns its id.</summary>
    public Task<string> CreateAsync(DateOnly from, int days, params string[] shops) =>
        Http.CreateJobAsync(new
        {
            platform = Harness.Platform,
            shops = shops.Length == 0 ? Harness.Shops : shops,
            from = from.ToString("yyyy-MM-dd"),
            to = from.AddDays(days).ToString("yyyy-MM-dd"),
            releaseEvery = "00:00:00.200",
            slicesPerRelease = 4,
        });

    /// <summary><c>POST /api/jobs/{id}/retry</c> with the body given; the answer's status and body.</summary>
    public async Task<(int Status, JsonElement Body)> RetryAsync(string job, object? body)
    {
        using var response = body is null
            ? await Http.PostAsync($"/api/jobs/{job}/retry", null)
            : await Http.PostAsJsonAsync($"/api/jobs/{job}/retry", body);
        return ((int)response.StatusCode, JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Waits for the job to finish; fails the test when it does not within <paramref name="within"/> or ends otherwise.</summary>
    public async Task WaitForStateAsync(string job, string state, TimeSpan within) =>
        Assert.Equal(state, (await Http.FinishedJobAsync(job, within)).State);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _worker.StopAsync();
        _worker.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        _cluster.Dispose();
    }
}
