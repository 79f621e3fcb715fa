using System.Globalization;
using System.Text.Json;
using Backfill.Benchmarks.Product;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Simulators;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>
/// Scenario <c>share</c>: how long a small job takes when it starts behind a large one on the same platform, against the
/// time it takes alone. Two runs through <c>serve</c> and W <c>worker</c> processes against the simulator: the small job
/// alone; then the large job, and the small one <see cref="ShareOptions.Delay"/> later (the large one is cancelled once
/// the small one is finished). Both jobs are <c>auto</c>. Target: the small job's time beside the large one is at most
/// 1.5 × its time alone ÷ its share of the places (its priority's weight over both jobs' weights).
/// </summary>
internal sealed class ShareScenario(BackfillCli cli, ShareOptions options)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly DateOnly From = JobPlan.FirstDay;

    public async Task<ShareResult> RunAsync(CancellationToken cancellationToken)
    {
        var small = JobPlan.Fixed(JobPlan.ShopIds(options.LargeShops + 1, options.SmallShops), From, options.SmallDays, 100, "create_time", new SimulatorOptions().Seed);
        var large = JobPlan.Fixed(JobPlan.ShopIds(1, options.LargeShops), From, options.LargeDays, 100, "create_time", new SimulatorOptions().Seed);
        Progress.Line($"Small job: {small.Shops.Count} shops × {small.Days} days, {small.ExpectedCalls} calls; large job: {large.Shops.Count} shops × {large.Days} days, {large.Slices} slices, {large.ExpectedCalls} calls.");
        var alone = await RunOnceAsync("share-alone", small, null, cancellationToken);
        var beside = await RunOnceAsync("share-beside", small, large, cancellationToken);
        return new ShareResult(options, small.ExpectedCalls, alone, beside);
    }

    private async Task<TimeSpan> RunOnceAsync(string label, JobPlan small, JobPlan? large, CancellationToken cancellationToken)
    {
        var everyShop = new JobPlan([.. (large?.Shops ?? []).Concat(small.Shops)], From, From, "create_time", small.Seed, 0, 0);
        var bench = await BenchRun.StartAsync(label, cli, everyShop, new BenchOptions { Rate = options.Rate, Settings = options.Settings }, s =>
        {
            s["Backfill:ReleaseEvery"] = "auto";
            s["Backfill:MaxSlicesPerJob"] = "1000000";
        }, cancellationToken);
        var finished = false;
        try
        {
            var url = $"http://127.0.0.1:{FreePorts.Next()}";
            var serve = await bench.StartReadyAsync("serve", "listening: ", cancellationToken, "serve", "--urls", url);
            var workers = new List<ChildProcess>();
            for (var i = 1; i <= options.Workers; i++)
            {
                workers.Add(await bench.StartReadyAsync($"worker-{i}", "worker: started", cancellationToken, "worker"));
            }

            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            string? largeJob = null;
            if (large is not null)
            {
                largeJob = await bench.StartJobAsync("start-large", large, url, cancellationToken, "--priority", options.LargePriority);
                Progress.Line($"[{label}] large job {largeJob} started; the small one in {options.Delay.TotalSeconds:0} s");
                await Task.Delay(options.Delay, cancellationToken);
            }

            var smallJob = await bench.StartJobAsync("start-small", small, url, cancellationToken, "--priority", options.SmallPriority);
            var status = await WaitFinishedAsync(bench, url, smallJob, cancellationToken);
            var took = status.FinishedAt!.Value - status.CreatedAt!.Value;
            Progress.Line($"[{label}] small job {status.State} in {took.TotalSeconds:0.0} s ({status.Succeeded}/{status.Total} slices)");
            if (largeJob is not null)
            {
                var meanwhile = await bench.ApiStatusAsync(url, largeJob, cancellationToken);
                Progress.Line($"[{label}] large job meanwhile: {meanwhile?.Succeeded}/{meanwhile?.Total} slices; cancelling it");
                await bench.RunToEndAsync("cancel", BenchRun.ClientTimeout, cancellationToken, "cancel", largeJob, "--server", url);
            }

            await Task.WhenAll(workers.Append(serve).Select(c => c.StopAsync(BenchRun.StopGrace)));
            var stats = await bench.SimulatorStatsAsync(cancellationToken);
            await bench.StopInfrastructureAsync();
            if (status.State != "succeeded" || stats.Refused > 0)
            {
                throw new ChildProcessException($"[{label}] the small job ended {status.State}, the platform refused {stats.Refused} calls; logs in {bench.LogDirectory}");
            }

            finished = true;
            return took;
        }
        finally
        {
            // A run's folder (logs, LiteDB files) is kept when it failed, for a look; else removed.
            await bench.DisposeAsync();
            if (finished)
            {
                Directory.Delete(bench.Directory, recursive: true);
            }
        }
    }

    private static async Task<JobStatus> WaitFinishedAsync(BenchRun bench, string url, string job, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await bench.ApiStatusAsync(url, job, cancellationToken) is { IsFinished: true } done)
            {
                return done;
            }

            await Task.Delay(Tick, cancellationToken);
        }

        throw new TimeoutException($"job {job} did not finish within 15 minutes; logs in {bench.LogDirectory}");
    }
}

/// <summary>What the <c>share</c> scenario runs.</summary>
internal sealed record ShareOptions
{
    public double Rate { get; init; } = 20;

    public int Workers { get; init; } = 2;

    public int LargeShops { get; init; } = 200;

    public int LargeDays { get; init; } = 90;

    public int SmallShops { get; init; } = 3;

    public int SmallDays { get; init; } = 7;

    public string LargePriority { get; init; } = "normal";

    public string SmallPriority { get; init; } = "normal";

    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>The small job's share of the places: its weight over both jobs' weights (high 8, normal 4, low 1).</summary>
    public double SmallShare => Weight(SmallPriority) / (Weight(SmallPriority) + Weight(LargePriority));

    private static double Weight(string priority) => FairShare.Weight(JobPriorityNames.TryParse(priority, out var parsed) ? parsed : JobPriority.Normal);
}

/// <summary>The small job's time alone and beside the large one; met when beside ≤ 1.5 × alone ÷ share.</summary>
internal sealed record ShareResult(ShareOptions Options, long SmallCalls, TimeSpan Alone, TimeSpan Beside)
{
    public double Bound => 1.5 * Alone.TotalSeconds / Options.SmallShare;

    public double Ratio => Beside.TotalSeconds / (Alone.TotalSeconds / Options.SmallShare);

    public bool Met => Beside.TotalSeconds <= Bound;

    public string Line() =>
        string.Create(CultureInfo.InvariantCulture, $"share: R = {Options.Rate}/s, W = {Options.Workers}; small job ({Options.SmallShops} × {Options.SmallDays} days, {SmallCalls} calls, {Options.SmallPriority}) alone {Alone.TotalSeconds:0.0} s, beside the large one ({Options.LargeShops} × {Options.LargeDays} days, {Options.LargePriority}, started {Options.Delay.TotalSeconds:0} s before) {Beside.TotalSeconds:0.0} s; at its share {Options.SmallShare:0.##} alone would be {Alone.TotalSeconds / Options.SmallShare:0.0} s: ratio {Ratio:0.00} (target ≤ 1.5) {(Met ? "met" : "MISSED")}");

    public string Json() => JsonSerializer.Serialize(new
    {
        scenario = "share",
        rate = Options.Rate,
        workers = Options.Workers,
        smallCalls = SmallCalls,
        aloneSeconds = Math.Round(Alone.TotalSeconds, 1),
        besideSeconds = Math.Round(Beside.TotalSeconds, 1),
        share = Options.SmallShare,
        ratio = Math.Round(Ratio, 3),
        met = Met,
    });
}
