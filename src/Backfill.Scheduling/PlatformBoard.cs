using Backfill.Platforms;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling.Alerts;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// What the scheduler knows about each platform's budget in the fleet: throttles and lane rates from workers' progress,
/// cool-offs from the control topic, and why releases are held; per lane its pages and its partition's lag, and a skew
/// among them (<see cref="PartitionSkew"/>, R8), logged when it appears and when it ends. In memory: it describes the present.
/// A platform's quotas are read from their one account, the scheduler's ledger, through <paramref name="quotas"/>, so they
/// show the current windows even when nothing was granted since a reset; its configured safety margin through
/// <paramref name="configuredMargin"/> (null for a platform that is not configured). A cool-off or a quota pause that
/// begins, and a worker whose failed commits grow, are raised on <paramref name="alerts"/>.
/// </summary>
public sealed partial class PlatformBoard(
    TimeProvider time, ILogger<PlatformBoard>? logger = null, Func<string, IReadOnlyList<QuotaUse>>? quotas = null, Func<string, double?>? configuredMargin = null, IAlerts? alerts = null)
{
    private readonly ConcurrentDictionary<string, Entry> _platforms = new(StringComparer.OrdinalIgnoreCase);

    public void CoolOff(string platform, DateTimeOffset until, string? reason)
    {
        if (Extend(platform, until, reason) is { } began)
        {
            alerts?.Raise(Alert.CoolOff(platform, until, reason, began));
        }
    }

    /// <summary>Sets the platform's cool-off to end no sooner than <paramref name="until"/>; the time now when none was running and this one begins.</summary>
    private DateTimeOffset? Extend(string platform, DateTimeOffset until, string? reason)
    {
        var entry = Of(platform);
        var now = time.GetUtcNow();
        lock (entry)
        {
            if (until <= entry.CoolOffUntil)
            {
                return null;
            }

            // The control topic is read from its start: a cool-off over already begins nothing.
            var began = entry.CoolOffUntil <= now && until > now;
            entry.CoolOffUntil = until;
            entry.CoolOffReason = reason;
            return began ? now : null;
        }
    }

    /// <summary>
    /// The platform's quota is spent (its backfill share, or the platform refused) until <paramref name="until"/>: releases
    /// pause as for a cool-off, and status says when it resumes.
    /// </summary>
    public void QuotaSpent(string platform, DateTimeOffset until, string reason)
    {
        var entry = Of(platform);
        var now = time.GetUtcNow();
        var began = false;
        lock (entry)
        {
            if (until > entry.QuotaSpentUntil)
            {
                began = entry.QuotaSpentUntil <= now && until > now;
                entry.QuotaSpentUntil = until;
            }
        }

        // The pause is the quota's: told as such, not again as a cool-off.
        Extend(platform, until, $"quota spent, resumes at {until:O} ({reason})");
        if (began)
        {
            alerts?.Raise(Alert.QuotaSpent(platform, until, reason, now));
        }
    }

    /// <summary>The end of the platform's last quota pause, running or over; null when it never paused.</summary>
    public DateTimeOffset? QuotaPausedUntil(string platform) =>
        _platforms.TryGetValue(platform, out var entry) && entry.QuotaSpentUntil > DateTimeOffset.MinValue ? entry.QuotaSpentUntil : null;

    /// <summary>The end of the platform's quota pause, while one runs.</summary>
    public DateTimeOffset? QuotaSpentUntil(string platform) =>
        _platforms.TryGetValue(platform, out var entry) && entry.QuotaSpentUntil > time.GetUtcNow() ? entry.QuotaSpentUntil : null;

    /// <summary>The limit and safety margin set while running (from the control topic); each null: back to the configured one.</summary>
    public void SetLiveLimit(string platform, double? permitsPerSecond, double? safetyMargin = null)
    {
        var entry = Of(platform);
        lock (entry)
        {
            entry.LiveLimit = permitsPerSecond;
            entry.LiveMargin = safetyMargin;
        }
    }

    /// <summary>The limit set while running, if one replaces the configured one.</summary>
    public double? LiveLimit(string platform) => _platforms.TryGetValue(platform, out var entry) ? entry.LiveLimit : null;

    /// <summary>The safety margin set while running, if one replaces the configured one.</summary>
    public double? LiveMargin(string platform) => _platforms.TryGetValue(platform, out var entry) ? entry.LiveMargin : null;

    /// <summary>The calls' latency on the platform: the mean of what its lanes' owners reported with their last steps; null before any report.</summary>
    public TimeSpan? Latency(string platform)
    {
        if (!_platforms.TryGetValue(platform, out var entry))
        {
            return null;
        }

        lock (entry)
        {
            var reported = entry.Lanes.Values.Where(l => l.LatencyMilliseconds > 0).Select(l => l.LatencyMilliseconds).ToList();
            return reported.Count > 0 ? TimeSpan.FromMilliseconds(reported.Average()) : null;
        }
    }

    /// <summary>The end of the platform's cool-off, when one is running now.</summary>
    public DateTimeOffset? CoolingOffUntil(string platform) =>
        _platforms.TryGetValue(platform, out var entry) && entry.CoolOffUntil > time.GetUtcNow() ? entry.CoolOffUntil : null;

    /// <param name="latency">The lane's calls' latency as its owner measured it; zero when it did not say.</param>
    /// <param name="calls">The step's calls, spread over <paramref name="elapsed"/> in the platform's <see cref="Calls"/>.</param>
    public void StepReported(string platform, int lane, double laneRate, int throttles, string worker, DateTimeOffset at, int pages, TimeSpan latency = default, int calls = 0, TimeSpan elapsed = default)
    {
        var entry = Of(platform);
        entry.Calls.Add(at, elapsed, calls, throttles);
        lock (entry)
        {
            entry.Throttles += throttles;
            entry.Pages += pages;
            entry.Lanes[lane] = new LaneStatus(lane, Math.Round(laneRate, 3), worker, at, Math.Round(latency.TotalMilliseconds, 1));
            if (!entry.Load.TryGetValue(lane, out var load))
            {
                entry.Load[lane] = load = new LaneLoad();
            }

            load.Pages += pages;
            load.Recent.Enqueue((time.GetTimestamp(), pages));
        }

        CheckSkew(platform, entry);
    }

    /// <summary>A worker process's Kafka outcomes since it started, as its last report on this platform's steps gave them (R3).</summary>
    public void WorkerKafkaReported(string platform, string process, long commitFailures, long evictions)
    {
        var entry = Of(platform);
        bool grew;
        lock (entry)
        {
            var known = entry.WorkerKafka.GetValueOrDefault(process);
            grew = commitFailures > known.CommitFailures;
            // Reports may arrive out of order across partitions: counts since start only grow.
            entry.WorkerKafka[process] = (Math.Max(known.CommitFailures, commitFailures), Math.Max(known.Evictions, evictions));
        }

        if (grew)
        {
            alerts?.Raise(Alert.CommitFailures(platform, process, commitFailures, time.GetUtcNow()));
        }
    }

    /// <summary>The lag of each lane's action partition, as just read from Kafka; the lanes given are all the platform's lanes.</summary>
    public void LagRead(string platform, IReadOnlyDictionary<int, (int Partition, long Lag)> lanes)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        var entry = Of(platform);
        lock (entry)
        {
            entry.LaneCount = lanes.Count;
            entry.Lag = new SortedDictionary<int, (int, long)>(lanes.ToDictionary(l => l.Key, l => l.Value));
        }

        CheckSkew(platform, entry);
    }

    /// <summary>Counts a slice of the platform sent to the action topic.</summary>
    public void Released(string platform)
    {
        var entry = Of(platform);
        lock (entry)
        {
            entry.Releases++;
        }
    }

    /// <summary>Counts a slice of the platform put back to be released again because nothing was heard of it (<see cref="StuckSlices"/>).</summary>
    public void Restarted(string platform)
    {
        var entry = Of(platform);
        lock (entry)
        {
            entry.Restarts++;
        }
    }

    /// <summary>Platforms this board has heard of (reports, releases, cool-offs), in name order.</summary>
    public IReadOnlyList<string> Platforms() => [.. _platforms.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>What the platform's budget has done since this scheduler started (the counters of <c>/metrics</c>).</summary>
    public PlatformTotals Totals(string platform)
    {
        var entry = Of(platform);
        lock (entry)
        {
            return new PlatformTotals(entry.Pages, entry.Throttles, entry.Releases, entry.Restarts);
        }
    }

    /// <summary>Records why releases of the platform hold (null: they don't); true when the kind of hold changed, worth a log line.</summary>
    public bool Held(string platform, string? reason)
    {
        var entry = Of(platform);
        lock (entry)
        {
            var changed = Kind(entry.Hold) != Kind(reason);
            entry.Hold = reason;
            return changed;
        }

        // Figures in a reason change every time; its first words say what holds.
        static string? Kind(string? reason) => reason is null ? null : string.Join(' ', reason.Split(' ').Skip(1).Take(3));
    }

    public PlatformStatus Status(string platform)
    {
        var entry = Of(platform);
        var use = quotas?.Invoke(platform) ?? [];
        lock (entry)
        {
            return new PlatformStatus(
                platform,
                entry.Throttles,
                entry.CoolOffUntil > time.GetUtcNow() ? entry.CoolOffUntil : null,
                entry.CoolOffReason,
                entry.Hold,
                [.. entry.Lanes.Values.OrderBy(l => l.Lane)],
                entry.LiveLimit)
            {
                LiveMargin = entry.LiveMargin,
                SafetyMargin = entry.LiveMargin ?? configuredMargin?.Invoke(platform),
                QuotaSpentUntil = entry.QuotaSpentUntil > time.GetUtcNow() ? entry.QuotaSpentUntil : null,
                Quotas = use,
                Partitions = Partitions(entry),
                Skew = Skew(entry),
                WorkerCommitFailures = entry.WorkerKafka.Values.Sum(w => w.CommitFailures),
                WorkerEvictions = entry.WorkerKafka.Values.Sum(w => w.Evictions),
            };
        }
    }

    private void CheckSkew(string platform, Entry entry)
    {
        string? skew;
        bool changed;
        lock (entry)
        {
            skew = Skew(entry);
            // A figure in the sentence changes with every report; only its start and end are worth a line.
            changed = (skew is null) != (entry.Skew is null);
            entry.Skew = skew;
        }

        if (changed && logger is not null)
        {
            if (skew is null)
            {
                Log.SkewEnded(logger, platform);
            }
            else
            {
                Log.Skewed(logger, platform, skew);
            }
        }
    }

    /// <summary>Every lane the board knows (all of the platform's once its lag was read), with its load and lag.</summary>
    private List<PartitionLoad> Partitions(Entry entry)
    {
        var since = time.GetTimestamp() - (long)(PartitionSkew.LoadWindow.TotalSeconds * time.TimestampFrequency);
        var lanes = Enumerable.Range(0, entry.LaneCount).Concat(entry.Load.Keys).Concat(entry.Lag.Keys).Distinct().Order();
        return
        [
            .. lanes.Select(lane =>
            {
                var load = entry.Load.GetValueOrDefault(lane);
                while (load is not null && load.Recent.TryPeek(out var oldest) && oldest.At < since)
                {
                    load.Recent.Dequeue();
                }

                (int Partition, long Lag)? lag = entry.Lag.TryGetValue(lane, out var l) ? l : null;
                return new PartitionLoad(lane, lag?.Partition, load?.Pages ?? 0, load?.Recent.Sum(r => (long)r.Pages) ?? 0, lag?.Lag);
            }),
        ];
    }

    private string? Skew(Entry entry)
    {
        var lanes = Partitions(entry);
        return PartitionSkew.Of($"pages in the last {PartitionSkew.LoadWindow.TotalMinutes:0} min", [.. lanes.Select(l => (l.Lane, l.Partition, l.RecentPages))], PartitionSkew.MinimumPages)
            ?? PartitionSkew.Of("action messages waiting", [.. lanes.Where(l => l.Lag is not null).Select(l => (l.Lane, l.Partition, l.Lag ?? 0))], PartitionSkew.MinimumLag);
    }

    /// <summary>The platform's calls per second and throttle answers over the last 15 minutes, in 5-second buckets, as workers reported their steps.</summary>
    public IReadOnlyList<CallPoint> Calls(string platform) => Of(platform).Calls.Points(time.GetUtcNow());

    private Entry Of(string platform) => _platforms.GetOrAdd(platform, _ => new Entry());

    private sealed class Entry
    {
        public CallHistory Calls { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15));

        public long Throttles { get; set; }

        public long Pages { get; set; }

        public long Releases { get; set; }

        public long Restarts { get; set; }

        public DateTimeOffset CoolOffUntil { get; set; } = DateTimeOffset.MinValue;

        public string? CoolOffReason { get; set; }

        public DateTimeOffset QuotaSpentUntil { get; set; } = DateTimeOffset.MinValue;

        public string? Hold { get; set; }

        public double? LiveLimit { get; set; }

        public double? LiveMargin { get; set; }

        public SortedDictionary<int, LaneStatus> Lanes { get; } = [];

        public SortedDictionary<int, LaneLoad> Load { get; } = [];

        /// <summary>The platform's lanes as its last lag read found them; 0 until one was read.</summary>
        public int LaneCount { get; set; }

        public SortedDictionary<int, (int Partition, long Lag)> Lag { get; set; } = [];

        public string? Skew { get; set; }

        /// <summary>Per worker process that ran this platform's steps: its failed commits and evictions since it started.</summary>
        public Dictionary<string, (long CommitFailures, long Evictions)> WorkerKafka { get; } = new(StringComparer.Ordinal);
    }

    private sealed class LaneLoad
    {
        public long Pages { get; set; }

        public Queue<(long At, int Pages)> Recent { get; } = new();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Platform {Platform}: action partitions are skewed: {Skew}")]
        public static partial void Skewed(ILogger logger, string platform, string skew);

        [LoggerMessage(2, LogLevel.Information, "Platform {Platform}: action partitions are balanced again")]
        public static partial void SkewEnded(ILogger logger, string platform);
    }
}

/// <summary>A platform's budget as the scheduler sees it.</summary>
/// <param name="Throttles">Throttle answers workers reported since this scheduler started.</param>
/// <param name="CoolOffUntil">Set while a cool-off runs: no calls, no releases.</param>
/// <param name="Hold">Why the last release of the platform held back, if it did.</param>
/// <param name="LiveLimit">The fleet's limit set while running (<c>backfill limit</c>); null: the configured one holds.</param>
public sealed record PlatformStatus(string Platform, long Throttles, DateTimeOffset? CoolOffUntil, string? CoolOffReason, string? Hold, IReadOnlyList<LaneStatus> Lanes, double? LiveLimit = null)
{
    /// <summary>Each lane's load and its action partition's lag (R8).</summary>
    public IReadOnlyList<PartitionLoad> Partitions { get; init; } = [];

    /// <summary>The share of the platform's limits the fleet leaves to the partner key's other clients now (live or configured); null when not known.</summary>
    public double? SafetyMargin { get; init; }

    /// <summary>The safety margin set while running (<c>backfill limit --margin</c>); null: the configured one holds.</summary>
    public double? LiveMargin { get; init; }

    /// <summary>Set while the platform's quota is spent: no calls, no releases until then ("quota spent, resumes at").</summary>
    public DateTimeOffset? QuotaSpentUntil { get; init; }

    /// <summary>The platform's quotas in their current windows: calls granted to backfills of those they may use.</summary>
    public IReadOnlyList<QuotaUse> Quotas { get; init; } = [];

    /// <summary>Why one lane carries far more than the others (<see cref="PartitionSkew"/>), or null.</summary>
    public string? Skew { get; init; }

    /// <summary>Failed offset commits of the worker processes that ran this platform's steps, summed over their last reports (R3). Non-zero is an alarm.</summary>
    public long WorkerCommitFailures { get; init; }

    /// <summary>Evictions (not polling within max.poll.interval.ms) of those worker processes, summed likewise (R3). Non-zero is an alarm.</summary>
    public long WorkerEvictions { get; init; }
}

/// <summary>A lane's load and its action partition's lag.</summary>
/// <param name="Partition">The lane's action partition; null until the scheduler read the lag.</param>
/// <param name="Pages">Pages fetched on the lane since this scheduler started.</param>
/// <param name="RecentPages">Pages fetched on the lane within <see cref="PartitionSkew.LoadWindow"/>.</param>
/// <param name="Lag">Action messages waiting on the partition at the last read; null when not read yet.</param>
public sealed record PartitionLoad(int Lane, int? Partition, long Pages, long RecentPages, long? Lag);

/// <summary>Counts of a platform since this scheduler started.</summary>
/// <param name="Pages">Pages fetched (one successful list call each), as workers reported them with applied steps.</param>
/// <param name="Throttles">Throttle answers workers reported with applied steps.</param>
/// <param name="Releases">Slices sent to the action topic (a slice released again after a retry counts again).</param>
/// <param name="Restarts">Slices in flight put back to be released again because nothing was heard of them for <c>Backfill:StuckAfter</c>.</param>
public sealed record PlatformTotals(long Pages, long Throttles, long Releases, long Restarts = 0);

/// <summary>A lane's rate (calls per second) and its calls' latency as its owner reported them with its last step (latency 0: not reported).</summary>
public sealed record LaneStatus(int Lane, double Rate, string Worker, DateTimeOffset At, double LatencyMilliseconds = 0);
