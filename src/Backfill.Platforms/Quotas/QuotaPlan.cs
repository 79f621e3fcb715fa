using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Quotas;

/// <summary>
/// A platform's quotas as the fleet spends them: each <see cref="QuotaShape"/> allows <see cref="QuotaShape.Usable"/> =
/// ⌊Calls × BackfillShare⌋ calls per window. A grant of calls counts in the current window of every shape, so it is good
/// only until the earliest of those windows ends (<see cref="GrantEnd"/>), less <see cref="EdgeMargin"/>: a call that
/// starts later might reach the platform in its next window.
/// </summary>
public sealed class QuotaPlan
{
    /// <summary>No call of a grant starts this close to its end: a call is counted when it reaches the platform, later than it starts.</summary>
    public static readonly TimeSpan EdgeMargin = TimeSpan.FromSeconds(1);

    private QuotaPlan(IReadOnlyList<QuotaShape> shapes) => Shapes = shapes;

    public IReadOnlyList<QuotaShape> Shapes { get; }

    public bool IsEmpty => Shapes.Count == 0;

    /// <summary>The plan of <paramref name="limit"/>; its zones must resolve (checked at start).</summary>
    public static QuotaPlan For(RateLimitOptions limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return new QuotaPlan([.. limit.Quotas.Select(q => new QuotaShape(
            q.Calls,
            (long)Math.Floor(q.Calls * limit.BackfillShare),
            q.Period,
            TimeZoneInfo.FindSystemTimeZoneById(q.ResetTimeZone)))]);
    }

    /// <summary>When a grant made at <paramref name="now"/> stops being good: the earliest end of the shapes' current windows.</summary>
    public DateTimeOffset GrantEnd(DateTimeOffset now) => Shapes.Min(s => s.WindowAt(now).End);

    /// <summary>The last instant a call of a grant ending at <paramref name="grantEnd"/> may start.</summary>
    public static DateTimeOffset LastStart(DateTimeOffset grantEnd) => grantEnd - EdgeMargin;

    /// <summary>
    /// How many windows of the longest-period shape <paramref name="calls"/> calls need at the usable share, at least 1; 1
    /// without quotas. A shape allowing no call at all needs <see cref="long.MaxValue"/>.
    /// </summary>
    public long PeriodsFor(long calls)
    {
        if (IsEmpty || calls <= 0)
        {
            return 1;
        }

        return Shapes.Max(s => s.PeriodsFor(calls));
    }
}

/// <summary>One quota: <see cref="Usable"/> of its <see cref="Calls"/> per window go to backfills.</summary>
public sealed record QuotaShape(long Calls, long Usable, TimeSpan Period, TimeZoneInfo Zone)
{
    /// <summary>How many of this quota's windows <paramref name="calls"/> calls need at its usable share, at least 1; <see cref="long.MaxValue"/> when it allows no call.</summary>
    public long PeriodsFor(long calls) => Usable <= 0 ? long.MaxValue : Math.Max(1, (Math.Max(0, calls) + Usable - 1) / Usable);

    /// <summary>
    /// The window holding <paramref name="at"/>: windows start at the zone's local midnight and every <see cref="Period"/>
    /// after it; the last of a day ends at the next local midnight.
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End) WindowAt(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var midnight = LocalInstant(local.Date);
        var nextMidnight = LocalInstant(local.Date.AddDays(1));

        var periods = (at - midnight).Ticks / Period.Ticks;
        var start = midnight + TimeSpan.FromTicks(Period.Ticks * periods);
        var end = start + Period;
        return (start, end < nextMidnight ? end : nextMidnight);
    }

    /// <summary>The instant of a local wall-clock time; a time skipped by a change of offset is taken at the offset before it.</summary>
    private DateTimeOffset LocalInstant(DateTime local)
    {
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = Zone.IsInvalidTime(wall) ? Zone.GetUtcOffset(wall.AddHours(-3)) : Zone.GetUtcOffset(wall);
        return new DateTimeOffset(wall, offset);
    }
}
