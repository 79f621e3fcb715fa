using Quartz;

namespace Backfill.Scheduling.Nightly;

/// <summary>
/// The arithmetic of nightly runs, pure: which firing a moment belongs to, the days a firing covers, the deterministic
/// job id of a firing and a shop, and what to catch up after downtime. Fire times come from Quartz's cron evaluation,
/// read in the schedule's time zone.
/// </summary>
public static class NightlyPlan
{
    /// <summary>How many earlier firings the catch-up looks back over to name the nights it skips.</summary>
    public const int LookBack = 400;

    /// <exception cref="FormatException">Not a Quartz cron expression; the message says why.</exception>
    public static CronExpression Cron(string expression, TimeZoneInfo zone) => new(expression, zone);

    /// <summary>
    /// The latest scheduled fire time at or before <paramref name="instant"/>, or null when the expression never fired
    /// before. A firing Quartz runs late (a misfire, a manual trigger) belongs to the scheduled firing before it.
    /// </summary>
    public static DateTimeOffset? LatestAtOrBefore(CronExpression cron, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(cron);

        // Cron fires on whole seconds.
        var second = new DateTimeOffset(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return cron.IsSatisfiedBy(second) ? second : cron.GetPreviousValidTimeBefore(second);
    }

    /// <summary>The calendar day of a firing in the schedule's zone: what its jobs are named after.</summary>
    public static DateOnly FireDate(DateTimeOffset fireTime, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fireTime, zone).DateTime);

    /// <summary>The <paramref name="daysBack"/> whole days before the firing's day, in the schedule's zone: <c>[day − daysBack, day)</c>.</summary>
    public static (DateOnly From, DateOnly To) Days(DateTimeOffset fireTime, TimeZoneInfo zone, int daysBack)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(daysBack, 1);
        var day = FireDate(fireTime, zone);
        return (day.AddDays(-daysBack), day);
    }

    /// <summary>
    /// The id of the job a firing creates for a shop, the same however often the firing runs: <c>{schedule}-{shop}-{yyyyMMdd}</c>
    /// with the firing's day. Several firings on one day therefore make one job per shop.
    /// </summary>
    public static string JobId(string schedule, string shop, DateOnly fireDate) => $"{schedule}-{shop}-{fireDate:yyyyMMdd}";

    /// <summary>
    /// What a scheduler starting at <paramref name="now"/> does for one schedule: the latest firing at or before now is run
    /// (it creates only the jobs that do not exist yet), and the days of earlier firings that never ran since the last one
    /// that did are skipped, not run one by one.
    /// </summary>
    /// <param name="ran">Whether a job of this schedule exists for a firing day.</param>
    /// <param name="ranBefore">Whether this schedule has ever created a job: a new schedule has missed nothing.</param>
    public static CatchUp CatchUp(CronExpression cron, TimeZoneInfo zone, DateTimeOffset now, Func<DateOnly, bool> ran, bool ranBefore)
    {
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(ran);
        if (LatestAtOrBefore(cron, now) is not { } latest)
        {
            return new CatchUp(null, [], false);
        }

        var latestDay = FireDate(latest, zone);
        if (ran(latestDay))
        {
            return new CatchUp(latest, [], false);
        }

        var skipped = new List<DateOnly>();
        var found = false;
        var exhausted = true;
        var at = latest;
        for (var i = 0; i < LookBack; i++)
        {
            if (cron.GetPreviousValidTimeBefore(at) is not { } previous)
            {
                exhausted = false;
                break;
            }

            at = previous;
            var day = FireDate(previous, zone);
            if (day == latestDay)
            {
                continue;
            }

            if (ran(day))
            {
                found = true;
                break;
            }

            if (skipped.Count == 0 || skipped[^1] != day)
            {
                skipped.Add(day);
            }
        }

        if (!found && !ranBefore)
        {
            return new CatchUp(latest, [], false);
        }

        skipped.Reverse();
        return new CatchUp(latest, skipped, !found && exhausted);
    }
}

/// <summary>A schedule's catch-up at start.</summary>
/// <param name="Fire">The firing to run now (null when the expression never fired before).</param>
/// <param name="Skipped">Days of missed firings that are not run, oldest first.</param>
/// <param name="MoreSkipped">True when the look-back ended before it found a firing that ran: more days were skipped than listed.</param>
public sealed record CatchUp(DateTimeOffset? Fire, IReadOnlyList<DateOnly> Skipped, bool MoreSkipped);
