using System.Diagnostics.Metrics;
using Backfill.Core.Telemetry;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Worker;

namespace Backfill.Hosting.Telemetry;

/// <summary>
/// What a worker process counts (<see cref="WorkerStats"/>, each platform's calls in this process, and, when the process runs
/// no scheduler whose series carry them, its own Kafka outcomes) as observable instruments of the <c>Backfill</c> meter.
/// Read from the counters the process keeps anyway: nothing is added to a step or a call.
/// </summary>
public sealed class WorkerMeter
{
    public WorkerMeter(IMeterFactory meters, WorkerStats stats, IOrderSources sources, KafkaCounters kafka, bool withKafka)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(kafka);
        var meter = meters.Create(BackfillTelemetry.Name);
        meter.CreateObservableCounter("backfill.worker_steps", () => stats.Steps, description: "Steps this worker process ran to their end.");
        meter.CreateObservableCounter("backfill.worker_orders_emitted", () => stats.OrdersEmitted, description: "Orders this worker process emitted.");
        meter.CreateObservableCounter("backfill.worker_duplicates_dropped", () => stats.DuplicatesDropped, description: "Action messages this worker process dropped as repeats of a step already done (R5).");
        meter.CreateObservableCounter("backfill.worker_steps_failed", () => stats.FailedSteps, description: "Steps that failed their slice in this worker process (parked on the dead-letter topic).");
        meter.CreateObservableCounter("backfill.worker_slices_cancelled", () => stats.SlicesCancelled, description: "Slices whose step this worker process stopped or dropped because their job was cancelled (R4).");
        meter.CreateObservableGauge("backfill.worker_longest_step_seconds", () => stats.LongestStep.TotalSeconds, unit: "s", description: "The longest step this worker process ran, to compare with Kafka:MaxPollInterval (R3).");
        meter.CreateObservableCounter("backfill.worker_platform_calls", () => sources.Names.Select(p => new Measurement<long>(sources.Stats(p).Calls, Platform(p))), description: "Platform calls this worker process made (every attempt, retries included).");
        meter.CreateObservableCounter("backfill.worker_platform_late_departures", () => sources.Names.Select(p => new Measurement<long>(sources.Stats(p).LeftLate, Platform(p))), description: "Platform calls counted on arrival whose request left this worker process more than half of RateLimit:ArrivalJitter after their admission (counted strict instead); recurring, the process pauses longer than the jitter allows.");
        meter.CreateObservableCounter("backfill.worker_platform_refusals", () => sources.Names.SelectMany(Refusals), description: "Platform calls of this worker process that the platform refused or that failed, by kind: throttle, transient, permanent, token-expired, quota.");
        if (withKafka)
        {
            meter.CreateObservableCounter("backfill.kafka_commits", () => kafka.Commits, description: "Offset commits of this process.");
            meter.CreateObservableCounter("backfill.kafka_commit_failures", () => kafka.CommitFailures, description: "Offset commits of this process that failed; non-zero is an alarm.");
            meter.CreateObservableCounter("backfill.kafka_evictions", () => kafka.Evictions, description: "Times a consumer of this process was evicted for not polling; non-zero is an alarm.");
            meter.CreateObservableCounter("backfill.kafka_dead_lettered", () => kafka.DeadLettered, description: "Messages this process parked on the dead-letter topic.");
        }

        IEnumerable<Measurement<long>> Refusals(string platform)
        {
            var s = sources.Stats(platform);
            return
            [
                new(s.Throttled, Platform(platform), new("kind", "throttle")),
                new(s.TransientErrors, Platform(platform), new("kind", "transient")),
                new(s.PermanentErrors, Platform(platform), new("kind", "permanent")),
                new(s.TokensExpired, Platform(platform), new("kind", "token-expired")),
                new(s.QuotaRefused, Platform(platform), new("kind", "quota")),
            ];
        }
    }

    private static KeyValuePair<string, object?> Platform(string platform) => new("platform", platform);
}
