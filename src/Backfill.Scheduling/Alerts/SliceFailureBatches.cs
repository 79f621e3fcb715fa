namespace Backfill.Scheduling.Alerts;

/// <summary>
/// Failed slices gathered per job: a job's first failure opens its batch, and the batch is due <paramref name="window"/>
/// later with every slice of the job that failed meanwhile — one <see cref="AlertEvents.SliceFailed"/> per job per window,
/// however many slices fail. A job that finishes takes its batch at once (<see cref="Take"/>), so its slices come before
/// its end. Thread-safe, pure apart from its memory.
/// </summary>
public sealed class SliceFailureBatches(TimeSpan window)
{
    private readonly Dictionary<string, Batch> _open = new(StringComparer.Ordinal);

    public void Add(string job, string platform, FailedSlice slice, DateTimeOffset now)
    {
        lock (_open)
        {
            if (!_open.TryGetValue(job, out var batch))
            {
                _open[job] = batch = new Batch(platform, now);
            }

            batch.Slices.Add(slice);
        }
    }

    /// <summary>The batches due at <paramref name="now"/>, removed.</summary>
    public IReadOnlyList<Alert> TakeDue(DateTimeOffset now)
    {
        lock (_open)
        {
            var due = _open.Where(b => now - b.Value.Opened >= window).OrderBy(b => b.Value.Opened).ToList();
            foreach (var (job, _) in due)
            {
                _open.Remove(job);
            }

            return [.. due.Select(b => b.Value.Alert(b.Key, now))];
        }
    }

    /// <summary>The job's open batch, removed, whether due or not; null when it has none.</summary>
    public Alert? Take(string job, DateTimeOffset now)
    {
        lock (_open)
        {
            return _open.Remove(job, out var batch) ? batch.Alert(job, now) : null;
        }
    }

    /// <summary>Every open batch, removed: for a scheduler that stops.</summary>
    public IReadOnlyList<Alert> TakeAll(DateTimeOffset now)
    {
        lock (_open)
        {
            var all = _open.OrderBy(b => b.Value.Opened).Select(b => b.Value.Alert(b.Key, now)).ToList();
            _open.Clear();
            return all;
        }
    }

    private sealed record Batch(string Platform, DateTimeOffset Opened)
    {
        public List<FailedSlice> Slices { get; } = [];

        public Alert Alert(string job, DateTimeOffset now) => Alerts.Alert.SlicesFailed(job, Platform, [.. Slices], Opened, now);
    }
}
