using System.Diagnostics.Metrics;
using Backfill.Core.Telemetry;

namespace Backfill.Hosting.Telemetry;

/// <summary>
/// The scheduler's series of <see cref="MetricFamilies"/> as observable instruments of the <c>Backfill</c> meter, for OTLP
/// and any other <see cref="MeterListener"/>. One snapshot serves every instrument of a collection: it is read at most once
/// a second, however many instruments ask, and without waiting on Kafka (<see cref="MetricsCollector.CollectWithoutKafka"/>).
/// </summary>
public sealed class SchedulerMeter : IDisposable
{
    /// <summary>How old the snapshot the instruments report may be.</summary>
    public static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(1);

    private readonly Cached<MetricsSnapshot> _snapshot;

    public SchedulerMeter(IMeterFactory meters, MetricsCollector collector, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(collector);
        _snapshot = new(SnapshotAge, time, _ => Task.FromResult(collector.CollectWithoutKafka()));

        // The factory owns the meter (one per name): it is disposed with the host's services.
        var meter = meters.Create(BackfillTelemetry.Name);
        foreach (var family in MetricFamilies.All)
        {
            Create(meter, family);
        }
    }

    public void Dispose() => _snapshot.Dispose();

    private void Create(Meter meter, MetricFamily family)
    {
        if (family.Integral)
        {
            IEnumerable<Measurement<long>> Longs() => Samples(family).Select(s => new Measurement<long>(s.Count ?? (long)s.Value, Tags(s)));
            _ = family.Type == MetricType.Counter
                ? meter.CreateObservableCounter(family.Instrument, Longs, description: family.Help)
                : (ObservableInstrument<long>)meter.CreateObservableGauge(family.Instrument, Longs, description: family.Help);
        }
        else
        {
            IEnumerable<Measurement<double>> Doubles() => Samples(family).Select(s => new Measurement<double>(s.Value, Tags(s)));
            _ = family.Type == MetricType.Counter
                ? meter.CreateObservableCounter(family.Instrument, Doubles, description: family.Help)
                : (ObservableInstrument<double>)meter.CreateObservableGauge(family.Instrument, Doubles, description: family.Help);
        }
    }

    /// <summary>The family's samples in the current snapshot, read synchronously (LiteDB and the board; never Kafka).</summary>
    private IEnumerable<MetricSample> Samples(MetricFamily family) =>
        family.Samples(_snapshot.GetAsync(CancellationToken.None).GetAwaiter().GetResult());

    private static KeyValuePair<string, object?>[] Tags(MetricSample sample) =>
        [.. sample.Labels.Select(l => new KeyValuePair<string, object?>(l.Name, l.Value))];
}
