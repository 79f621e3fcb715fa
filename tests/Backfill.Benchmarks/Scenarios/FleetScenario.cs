using System.Globalization;
using Backfill.Benchmarks.Product;
using Backfill.Core.Data;
using Backfill.Simulators;
using Confluent.Kafka;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>
/// Scenario <c>fleet</c>: for each W and each budget mode, one job through <c>serve</c> and W <c>worker</c> processes
/// against a simulator enforcing R over a strict sliding second; one worker is SIGKILLed halfway and replaced.
/// </summary>
internal sealed class FleetScenario(BackfillCli cli, BenchOptions options)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SinkDrainLimit = TimeSpan.FromSeconds(60);
    private const int StatusFailuresAllowed = 5;

    private readonly TimeProvider _time = TimeProvider.System;
    private bool _apiReadable = true;

    public static JobPlan Plan(BenchOptions options) => JobPlan.For(
        options.CallsWanted,
        options.Shops,
        int.Parse(options.Setting($"Platforms:{BenchSettings.Platform}:PageSize", "100"), CultureInfo.InvariantCulture),
        options.Setting($"Platforms:{BenchSettings.Platform}:TimeRangeField", "create_time"),
        new SimulatorOptions().Seed,
        options.Data);

    public async Task<IReadOnlyList<RunResult>> RunAllAsync(CancellationToken cancellationToken)
    {
        var plan = Plan(options);
        Progress.Line($"Job: {plan.Shops.Count} shops × {plan.Days} days [{BenchRun.Day(plan.From)}, {BenchRun.Day(plan.To)}) = {plan.Slices} slices, "
            + $"{plan.ExpectedCalls} calls (≈ {plan.ExpectedCalls / options.Rate:0} s at R = {options.Rate}/s), {plan.ExpectedOrders} orders.");
        var results = new List<RunResult>();
        foreach (var workers in options.Workers)
        {
            foreach (var mode in options.Modes)
            {
                results.Add(await RunOneAsync(plan, mode, workers, cancellationToken));
            }
        }

        return results;
    }

    private async Task<RunResult> RunOneAsync(JobPlan plan, BudgetMode mode, int workers, CancellationToken cancellationToken)
    {
        var label = $"fleet-{mode.Name}-w{workers}";
        Progress.Line($"[{label}] starting: platform-sim, dev-kafka, serve, {workers} worker(s); the job {options.Settle.TotalSeconds:0} s after the last worker");
        var run = new Measurement(mode, workers);
        BenchRun? bench = null;
        try
        {
            bench = await BenchRun.StartAsync(label, cli, plan, options, s => Configure(s, mode), cancellationToken);
            await DriveAsync(bench, plan, run, label, cancellationToken);
        }
        catch (Exception e) when (e is ChildProcessException or HttpRequestException or TimeoutException or IOException)
        {
            run.Error ??= e.Message;
        }
        catch (OperationCanceledException)
        {
            Progress.Line($"[{label}] cancelled; logs in {bench?.LogDirectory}");
            throw;
        }
        finally
        {
            if (bench is not null)
            {
                await bench.DisposeAsync();
            }
        }

        var result = run.Result(options, plan, bench?.Directory ?? "");
        run.Finish(result, bench, label, options.Keep);
        return result;
    }

    private void Configure(BenchSettings settings, BudgetMode mode)
    {
        var rateLimit = $"Platforms:{BenchSettings.Platform}:RateLimit";
        if (mode.Scope is not null)
        {
            settings[$"{rateLimit}:Scope"] = mode.Scope;
        }

        if (options.Lanes is { } lanes)
        {
            settings[$"{rateLimit}:Lanes"] = lanes.ToString(CultureInfo.InvariantCulture);
        }

        settings["Backfill:MaxInFlightPerPlatform"] = options.MaxInFlight.ToString(CultureInfo.InvariantCulture);
        settings["Backfill:ReleaseEvery"] = options.ReleaseEvery;
    }

    private async Task DriveAsync(BenchRun bench, JobPlan plan, Measurement run, string label, CancellationToken cancellationToken)
    {
        var requestedUrl = $"http://127.0.0.1:{FreePorts.Next()}";
        var serve = await bench.StartReadyAsync("serve", "listening: ", cancellationToken, "serve", "--urls", requestedUrl);
        var printed = serve.Lines.First(l => l.StartsWith("listening: ", StringComparison.Ordinal))["listening: ".Length..].Trim();
        var serverUrl = Uri.TryCreate(printed, UriKind.Absolute, out var url) && url.Port > 0 ? printed : requestedUrl;

        var pool = new List<ChildProcess>();
        for (var i = 1; i <= run.Workers; i++)
        {
            pool.Add(await StartWorkerAsync(bench, i, cancellationToken));
        }

        await Task.Delay(options.Settle, _time, cancellationToken);
        var started = _time.GetTimestamp();
        var job = await bench.StartJobAsync("start", plan, serverUrl, cancellationToken, "--data", DatasetNames.Format(plan.Data));
        Progress.Line($"[{label}] job {job} started on {serverUrl}");

        var deadline = options.RunTimeout;
        var lastStatus = -StatusEvery;
        var lastProgress = TimeSpan.Zero;
        var statusFailures = 0;
        var killed = false;
        while (true)
        {
            var elapsed = _time.GetElapsedTime(started);
            var stats = await bench.SimulatorStatsAsync(cancellationToken);
            run.Sample(stats, elapsed);
            if (!killed && options.KillAt is { } share && stats.Accepted >= plan.ExpectedCalls * share)
            {
                killed = true;
                var victim = pool[0];
                victim.Kill();
                await victim.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                run.WorkerKilledAt = elapsed;
                Progress.Line($"[{label}] {elapsed.TotalSeconds:0.0} s: SIGKILL {victim.Name} after {stats.Accepted} calls; starting worker-{run.Workers + 1}");
                pool[0] = await StartWorkerAsync(bench, run.Workers + 1, cancellationToken);
            }

            if ((serve.HasExited ? serve : pool.FirstOrDefault(w => w.HasExited)) is { } dead)
            {
                throw new ChildProcessException($"{dead.Name} exited during the run. {dead.Describe()}");
            }

            if (elapsed - lastStatus >= StatusEvery)
            {
                lastStatus = elapsed;
                var status = await PollStatusAsync(bench, job, serverUrl, cancellationToken);
                if (status is null)
                {
                    if (++statusFailures >= StatusFailuresAllowed)
                    {
                        throw new ChildProcessException($"'backfill status' failed {statusFailures} times in a row; see {bench.LogDirectory}/status.stderr.log");
                    }
                }
                else
                {
                    statusFailures = 0;
                    run.Job = status;
                    if (status.IsFinished)
                    {
                        run.Elapsed = elapsed;
                        break;
                    }
                }
            }

            if (elapsed - lastProgress >= ProgressEvery)
            {
                lastProgress = elapsed;
                Progress.Line($"[{label}] {elapsed.TotalSeconds,5:0} s: calls {stats.Accepted} accepted, {stats.Refused} refused; slices {run.Job?.Succeeded ?? 0}/{run.Job?.Total ?? plan.Slices} succeeded");
            }

            if (elapsed > deadline)
            {
                run.Elapsed = elapsed;
                run.Error = $"The job did not finish within {deadline.TotalSeconds:0} s.";
                break;
            }

            await Task.Delay(Tick, _time, cancellationToken);
        }

        run.Job = await StatusAsync(bench, job, serverUrl, cancellationToken)
            ?? throw new ChildProcessException($"'backfill status {job} --json' failed at the end of the run; see {bench.LogDirectory}/status.stderr.log");
        await DrainSinkAsync(bench, run, label, cancellationToken);
        Progress.Line($"[{label}] job {run.Job?.State ?? "?"} after {run.Elapsed.TotalSeconds:0.0} s; stopping serve and workers (SIGTERM)");
        await Task.WhenAll(pool.Append(serve).Select(c => c.StopAsync(BenchRun.StopGrace)));
        run.Platform = await bench.SimulatorStatsAsync(cancellationToken);
        run.Seconds = await bench.SimulatorSecondsAsync(cancellationToken);
        run.AllowedCalls = await bench.AllowedCallsAsync(options, run.Platform, cancellationToken);
        await bench.StopInfrastructureAsync();
        run.Count(BenchRun.CountOrders(Path.Combine(bench.Directory, "serve", "data", "backfill.db"), plan));
    }

    private async Task<ChildProcess> StartWorkerAsync(BenchRun bench, int number, CancellationToken cancellationToken)
    {
        string[] args = options.Concurrency is { } c ? ["worker", "--concurrency", c.ToString(CultureInfo.InvariantCulture)] : ["worker"];

        return await bench.StartReadyAsync($"worker-{number}", "worker: started", cancellationToken, args);
    }

    /// <summary><c>backfill status JOB --json</c>: used for the last word on a job, and while the API cannot be read directly.</summary>
    private static async Task<JobStatus?> StatusAsync(BenchRun bench, string job, string serverUrl, CancellationToken cancellationToken)
    {
        var status = await bench.RunToEndAsync("status", BenchRun.ClientTimeout, cancellationToken, "status", job, "--server", serverUrl, "--json");
        return status.ExitCode == 0 ? JobStatus.FromOutput(status.Lines) : null;
    }

    // Straight from serve while it answers; through the CLI otherwise.
    private async Task<JobStatus?> PollStatusAsync(BenchRun bench, string job, string serverUrl, CancellationToken cancellationToken)
    {
        if (_apiReadable)
        {
            try
            {
                if (await bench.ApiStatusAsync(serverUrl, job, cancellationToken) is { } status)
                {
                    return status;
                }
            }
            catch (HttpRequestException)
            {
            }

            _apiReadable = false;
            Progress.Line($"GET {serverUrl}/api/jobs/{job} gave no status; polling with 'backfill status --json' instead.");
        }

        return await StatusAsync(bench, job, serverUrl, cancellationToken);
    }

    // A slice's success follows its orders into Kafka, not into serve's sink: serve is stopped once the sink has
    // caught up with the order topic, as an in-process run waits for it.
    private async Task DrainSinkAsync(BenchRun bench, Measurement run, string label, CancellationToken cancellationToken)
    {
        try
        {
            using var lag = new SinkLag(bench.Settings["Kafka:BootstrapServers"], options.Setting("Kafka:Namespace", "backfill"));
            var started = _time.GetTimestamp();
            long behind;
            while ((behind = lag.Behind()) > 0 && _time.GetElapsedTime(started) < SinkDrainLimit)
            {
                await Task.Delay(Tick, _time, cancellationToken);
            }

            run.SinkBehind = behind;
            if (behind > 0)
            {
                Progress.Line($"[{label}] the sink is still {behind} orders behind the order topic after {SinkDrainLimit.TotalSeconds:0} s");
            }
        }
        catch (KafkaException e)
        {
            Progress.Line($"[{label}] cannot read the sink's lag ({e.Message}); waiting 5 s instead");
            await Task.Delay(TimeSpan.FromSeconds(5), _time, cancellationToken);
        }
    }
}
