using System.Collections.Concurrent;

namespace Backfill.Scheduling;

/// <summary>
/// What the scheduler knows about each platform's budget in the fleet: throttles and lane rates from workers' progress,
/// cool-offs from the control topic, and why releases are held. In memory: it describes the present.
/// </summary>
public sealed class PlatformBoard(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _platforms = new(StringComparer.OrdinalIgnoreCase);

    public void CoolOff(string platform, DateTimeOffset until, string? reason)
    {
        var entry = Of(platform);
        lock (entry)
        {
            if (until > entry.CoolOffUntil)
            {
                entry.CoolOffUntil = until;
                entry.CoolOffReason = reason;
            }
        }
    }

    /// <summary>The limit set while running (from the control topic); null: back to the configured one.</summary>
    public void SetLiveLimit(string platform, double? permitsPerSecond)
    {
        var entry = Of(platform);
        lock (entry)
        {
            entry.LiveLimit = permitsPerSecond;
        }
    }

    /// <summary>The limit set while running, if one replaces the configured one.</summary>
    public double? LiveLimit(string platform) => _platforms.TryGetValue(platform, out var entry) ? entry.LiveLimit : null;

    /// <summary>The end of the platform's cool-off, when one is running now.</summary>
    public DateTimeOffset? CoolingOffUntil(string platform) =>
        _platforms.TryGetValue(platform, out var entry) && entry.CoolOffUntil > time.GetUtcNow() ? entry.CoolOffUntil : null;

    public void StepReported(string platform, int lane, double laneRate, int throttles, string worker, DateTimeOffset at, int pages)
    {
        var entry = Of(platform);
        lock (entry)
        {
            entry.Throttles += throttles;
            entry.Pages += pages;
            entry.Lanes[lane] = new LaneStatus(lane, Math.Round(laneRate, 3), worker, at);
        }
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

    /// <summary>Platforms this board has heard of (reports, releases, cool-offs), in name order.</summary>
    public IReadOnlyList<string> Platforms() => [.. _platforms.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>What the platform's budget has done since this scheduler started (the counters of <c>/metrics</c>).</summary>
    public PlatformTotals Totals(string platform)
    {
        var entry = Of(platform);
        lock (entry)
        {
            return new PlatformTotals(entry.Pages, entry.Throttles, entry.Releases);
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
        lock (entry)
        {
            return new PlatformStatus(
                platform,
                entry.Throttles,
                entry.CoolOffUntil > time.GetUtcNow() ? entry.CoolOffUntil : null,
                entry.CoolOffReason,
                entry.Hold,
                [.. entry.Lanes.Values.OrderBy(l => l.Lane)],
                entry.LiveLimit);
        }
    }

    private Entry Of(string platform) => _platforms.GetOrAdd(platform, _ => new Entry());

    private sealed class Entry
    {
        public long Throttles { get; set; }

        public long Pages { get; set; }

        public long Releases { get; set; }

        public DateTimeOffset CoolOffUntil { get; set; } = DateTimeOffset.MinValue;

        public string? CoolOffReason { get; set; }

        public string? Hold { get; set; }

        public double? LiveLimit { get; set; }

        public SortedDictionary<int, LaneStatus> Lanes { get; } = [];
    }
}

/// <summary>A platform's budget as the scheduler sees it.</summary>
/// <param name="Throttles">Throttle answers workers reported since this scheduler started.</param>
/// <param name="CoolOffUntil">Set while a cool-off runs: no calls, no releases.</param>
/// <param name="Hold">Why the last release of the platform held back, if it did.</param>
/// <param name="LiveLimit">The fleet's limit set while running (<c>backfill limit</c>); null: the configured one holds.</param>
public sealed record PlatformStatus(string Platform, long Throttles, DateTimeOffset? CoolOffUntil, string? CoolOffReason, string? Hold, IReadOnlyList<LaneStatus> Lanes, double? LiveLimit = null);

/// <summary>Counts of a platform since this scheduler started.</summary>
/// <param name="Pages">Pages fetched (one successful list call each), as workers reported them with applied steps.</param>
/// <param name="Throttles">Throttle answers workers reported with applied steps.</param>
/// <param name="Releases">Slices sent to the action topic (a slice released again after a retry counts again).</param>
public sealed record PlatformTotals(long Pages, long Throttles, long Releases);

/// <summary>A lane's rate (calls per second) as its owner reported it with its last step.</summary>
public sealed record LaneStatus(int Lane, double Rate, string Worker, DateTimeOffset At);
