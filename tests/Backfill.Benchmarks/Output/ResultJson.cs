using System.Text.Json;
using System.Text.Json.Serialization;
using Backfill.Benchmarks.Scenarios;

namespace Backfill.Benchmarks.Output;

/// <summary>The <c>--json</c> line: the scenario, the job, and every run's figures and targets.</summary>
internal static class ResultJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(string scenario, BenchOptions options, JobPlan plan, IReadOnlyList<RunResult> results) => JsonSerializer.Serialize(
        new
        {
            scenario,
            rate = options.Rate,
            perShop = options.PerShop,
            allowedRate = options.AllowedRate,
            callsSeconds = options.CallsDuration.TotalSeconds,
            settleSeconds = options.Settle.TotalSeconds,
            latencyMs = options.Latency is { } latency ? new { min = latency.Min.TotalMilliseconds, max = latency.Max.TotalMilliseconds } : null,
            counting = options.Counting.ToString(),
            maxInFlight = options.MaxInFlight,
            utilisationTarget = Math.Round(options.UtilisationTarget, 4),
            job = new { shops = plan.Shops.Count, days = plan.Days, slices = plan.Slices, expectedCalls = plan.ExpectedCalls, expectedOrders = plan.ExpectedOrders },
            runs = results.Select(r => new
            {
                mode = r.Mode.Name,
                scope = r.Mode.Scope,
                workers = r.Workers,
                accepted = r.Platform.Accepted,
                refused = r.Platform.Refused,
                forcedThrottles = r.Platform.ForcedThrottles,
                maxArrivedPerSecond = r.Platform.PeakArrivalsPerSecond,
                maxAcceptedPerSecond = r.Platform.PeakCallsPerSecond,
                utilisation = r.Utilisation is { } u ? Math.Round(u, 4) : (double?)null,
                utilisationOfRate = r.OfRate is { } o ? Math.Round(o, 4) : (double?)null,
                allowedCalls = r.AllowedCalls is { } a ? Math.Round(a, 1) : (double?)null,
                profile = r.Profile is { } p
                    ? new { rampSeconds = p.RampSeconds, rampLoss = Math.Round(p.RampLoss, 4), steadyPerSecond = Math.Round(p.SteadyRate, 2), steadyLoss = Math.Round(p.SteadyLoss, 4), tailSeconds = p.TailSeconds, tailLoss = Math.Round(p.TailLoss, 4) }
                    : null,
                callSeconds = r.CallSpan is { } span ? Math.Round(span.TotalSeconds, 3) : (double?)null,
                state = r.Job?.State,
                slices = new { succeeded = r.Job?.Succeeded, failed = r.Job?.Failed, total = r.Job?.Total },
                orders = new { unique = r.OrdersUnique, expected = r.OrdersExpected, duplicatesAbsorbed = r.DuplicatesAbsorbed, sinkBehindAtStop = r.SinkBehind, slicesThatDiffer = r.OrderGaps },
                elapsedSeconds = Math.Round(r.Elapsed.TotalSeconds, 2),
                longestIdleSeconds = Math.Round(r.LongestIdle.TotalSeconds, 2),
                workerKilledAtSeconds = r.WorkerKilledAt is { } k ? Math.Round(k.TotalSeconds, 2) : (double?)null,
                targets = new { noRefusals = r.NoRefusals, withinLimit = r.WithinLimit, utilisation = r.UtilisationMet },
                complete = r.Complete,
                targetsMet = r.TargetsMet,
                error = r.Error,
            }),
            targetsMet = results.All(r => r.TargetsMet),
        },
        Options);
}
