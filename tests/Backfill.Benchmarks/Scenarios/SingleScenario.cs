using System.Globalization;
using Backfill.Benchmarks.Product;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>
/// Scenario <c>single</c>: the fleet scenario's job through one <c>backfill run</c> process (scheduler and workers in
/// process) against the same standalone simulator and dev-kafka. The one-process baseline, and a check of the harness.
/// </summary>
internal sealed class SingleScenario(BackfillCli cli, BenchOptions options)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = TimeProvider.System;

    public async Task<IReadOnlyList<RunResult>> RunAllAsync(CancellationToken cancellationToken)
    {
        var plan = FleetScenario.Plan(options);
        Progress.Line($"Job: {plan.Shops.Count} shops × {plan.Days} days = {plan.Slices} slices, {plan.ExpectedCalls} calls, {plan.ExpectedOrders} orders.");
        const string label = "single";
        var run = new Measurement(BudgetMode.InProcess, 1);
        BenchRun? bench = null;
        try
        {
            bench = await BenchRun.StartAsync(label, cli, plan, options, Configure, cancellationToken);
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
        return [result];
    }

    private void Configure(BenchSettings settings)
    {
        settings["Backfill:MaxInFlightPerPlatform"] = options.MaxInFlight.ToString(CultureInfo.InvariantCulture);
        settings["Backfill:ReleaseEvery"] = options.ReleaseEvery;
    }

    private async Task DriveAsync(BenchRun bench, JobPlan plan, Measurement run, string label, CancellationToken cancellationToken)
    {
        var args = new List<string> { "run", "--platform", BenchSettings.Platform };
        foreach (var shop in plan.Shops)
        {
            args.AddRange(["--shop", shop]);
        }

        args.AddRange(["--from", BenchRun.Day(plan.From), "--to", BenchRun.Day(plan.To), "--release-every", "00:00:01", "--json"]);
        if (options.Concurrency is { } concurrency)
        {
            args.AddRange(["--workers", concurrency.ToString(CultureInfo.InvariantCulture)]);
        }

        var started = _time.GetTimestamp();
        var process = bench.Start("run", [.. args]);
        var lastProgress = TimeSpan.Zero;
        while (!process.HasExited)
        {
            var elapsed = _time.GetElapsedTime(started);
            run.Sample(await bench.SimulatorStatsAsync(cancellationToken), elapsed);
            if (elapsed - lastProgress >= ProgressEvery)
            {
                lastProgress = elapsed;
                Progress.Line($"[{label}] {elapsed.TotalSeconds,5:0} s: calls {run.Platform.Accepted} accepted, {run.Platform.Refused} refused");
            }

            if (elapsed > options.RunTimeout)
            {
                run.Error = $"'backfill run' did not finish within {options.RunTimeout.TotalSeconds:0} s.";
                break;
            }

            await Task.Delay(Tick, _time, cancellationToken);
        }

        run.Elapsed = _time.GetElapsedTime(started);
        await process.StopAsync(BenchRun.StopGrace);
        run.Job = JobStatus.FromOutput(process.Lines);
        if (run.Job is null)
        {
            run.Error ??= $"'backfill run' printed no summary. {process.Describe()}";
        }

        run.Platform = await bench.SimulatorStatsAsync(cancellationToken);
        run.Seconds = await bench.SimulatorSecondsAsync(cancellationToken);
        run.AllowedCalls = await bench.AllowedCallsAsync(options, run.Platform, cancellationToken);
        await bench.StopInfrastructureAsync();
        run.Count(BenchRun.CountOrders(Path.Combine(bench.Directory, "run", "data", "backfill.db"), plan));
    }
}
