using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Hosting;

/// <summary>
/// Scheduler, sink and workers in one process, running one job to its end: <c>demo</c>, <c>run</c> and the
/// end-to-end tests. The same services as the separate processes, wired by the same method.
/// </summary>
public static class InProcessRun
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SinkDrainLimit = TimeSpan.FromSeconds(60);

    /// <summary>Builds the host (validated configuration, all roles).</summary>
    public static IHost BuildHost(IConfiguration configuration, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.All);
        logging?.Invoke(builder.Logging);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static async Task<RunSummary> RunAsync(IHost host, RunRequest request, Action<RunSnapshot>? progress, CancellationToken cancellationToken) =>
        (await RunAsync(host, [request], progress, cancellationToken))[0];

    /// <summary>
    /// Runs every request's job at the same time on one host (each platform under its own budget) until each has ended;
    /// the summaries follow the requests' order. <paramref name="progress"/> may be called from several threads at once.
    /// </summary>
    public static async Task<RunSummary[]> RunAsync(IHost host, IReadOnlyList<RunRequest> requests, Action<RunSnapshot>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var sp = host.Services;
        var time = sp.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        await host.StartAsync(cancellationToken);
        try
        {
            return await Task.WhenAll(requests.Select(request => RunStartedAsync(host, request, progress, started, cancellationToken)));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<RunSummary> RunStartedAsync(IHost host, RunRequest request, Action<RunSnapshot>? progress, long started, CancellationToken cancellationToken)
    {
        var sp = host.Services;
        var time = sp.GetRequiredService<TimeProvider>();
        var (job, _) = await sp.GetRequiredService<JobPlanner>().CreateAsync(request.Job, cancellationToken);
        var store = sp.GetRequiredService<JobStore>();
        var records = sp.GetRequiredService<RecordStore>();
        var sources = sp.GetRequiredService<IOrderSources>();

        RunSnapshot Snapshot()
        {
            var current = store.Job(job.Id)!;
            var slices = store.Slices(job.Id);
            var calls = sources.Stats(job.Platform);
            return new RunSnapshot(job.Id, current.State, SliceCounts.From(slices.Select(s => s.State)), slices.Sum(s => s.Orders),
                records.CountOfJob(Datasets.Orders, job.Id), calls.Calls, calls.Throttled, time.GetElapsedTime(started));
        }

        // The host stops by itself when one of its readers ends (ReaderWatch): the run would then wait for ever.
        var stopping = sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        while (store.Job(job.Id)!.IsFinished is false)
        {
            progress?.Invoke(Snapshot());
            await WaitAsync(time, stopping, cancellationToken);
        }

        // A finished job's records may still be on their way to the sink: the run ends once they are all saved.
        var sink = sp.GetRequiredService<SinkProgress>();
        var drainStart = time.GetTimestamp();
        SinkState saved;
        while ((saved = sink.Of(store.Job(job.Id)!)) is { AllSaved: false, Lost: 0 } && time.GetElapsedTime(drainStart) < SinkDrainLimit)
        {
            progress?.Invoke(Snapshot());
            await WaitAsync(time, stopping, cancellationToken);
        }

        var final = Snapshot();
        progress?.Invoke(final);
        var all = store.Slices(job.Id);
        var stats = sources.Stats(job.Platform);
        var kafka = sp.GetRequiredService<KafkaCounters>();
        var expected = request.Expected is not { } holds ? null
            : DatasetNames.Each(job.Data).ToDictionary(DatasetNames.Name, d => job.Shops.Sum(shop => holds(shop, all[0].From, all[^1].To, d)));
        return new RunSummary(
            job.Id,
            final.State,
            final.Slices,
            final.OrdersSaved,
            final.OrdersEmitted,
            saved.AllSaved,
            expected?.GetValueOrDefault(DatasetNames.Name(Datasets.Orders)),
            records.Totals().Values.Sum(t => t.DuplicatesAbsorbed),
            stats.Calls,
            stats.Throttled,
            kafka.CommitFailures,
            kafka.DeadLettered,
            time.GetElapsedTime(started),
            [.. all.Where(s => s.State == SliceState.Failed).Select(s => new FailedSlice(s.Id, s.Error ?? "failed"))])
        {
            RecordsLost = saved.Lost,
            Data = job.Data,
            Records = DatasetNames.Each(job.Data).ToDictionary(d => DatasetNames.Name(d), d => records.CountOfJob(d, job.Id)),
            RecordsExpected = expected,
        };
    }

    private static async Task WaitAsync(TimeProvider time, CancellationToken stopping, CancellationToken cancellationToken)
    {
        if (stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("the run's host is stopping: one of its readers ended (see the log above); the job is left as it is");
        }

        await Task.Delay(Tick, time, cancellationToken);
    }
}
