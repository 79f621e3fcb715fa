using Backfill.Core.Slicing;
using Backfill.Scheduling.Nightly;

namespace Backfill.Scheduling.Tests.Nightly;

public sealed class NightlyPlanTests
{
    private const string AtHalfPastTwo = "0 30 2 * * ?";
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    private static readonly TimeZoneInfo Taipei = TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei");
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    [InlineData("2024-05-03T02:30:00.000Z", "2024-05-03T02:30:00Z")]
    [InlineData("2024-05-03T02:30:00.750Z", "2024-05-03T02:30:00Z")]
    [InlineData("2024-05-03T02:29:59.999Z", "2024-05-02T02:30:00Z")]
    [InlineData("2024-05-03T23:59:59.999Z", "2024-05-03T02:30:00Z")]
    public void LatestAtOrBefore_IsTheScheduledFiringALateOrManualFiringBelongsTo(string instant, string expected)
    {
        var cron = NightlyPlan.Cron(AtHalfPastTwo, Utc);

        Assert.Equal(At(expected), NightlyPlan.LatestAtOrBefore(cron, At(instant)));
    }

    [Fact]
    public void FireDateAndDays_AreReadInTheSchedulesZone()
    {
        // 01:00 in Taipei on May 3rd is still May 2nd in UTC.
        var fire = NightlyPlan.LatestAtOrBefore(NightlyPlan.Cron("0 0 1 * * ?", Taipei), At("2024-05-02T17:00:00.000Z"))!.Value;

        Assert.Equal(At("2024-05-02T17:00:00Z"), fire);
        Assert.Equal(new DateOnly(2024, 5, 3), NightlyPlan.FireDate(fire, Taipei));
        Assert.Equal((new DateOnly(2024, 5, 2), new DateOnly(2024, 5, 3)), NightlyPlan.Days(fire, Taipei, 1));
        Assert.Equal((new DateOnly(2024, 4, 26), new DateOnly(2024, 5, 3)), NightlyPlan.Days(fire, Taipei, 7));
    }

    [Fact]
    public void Days_AcrossSpringForward_CoverTheShortDayIn23Hours()
    {
        // 01:00 CEST on April 1st; the day before lost an hour at 02:00.
        var fire = NightlyPlan.LatestAtOrBefore(NightlyPlan.Cron("0 0 1 * * ?", Berlin), At("2024-03-31T23:00:00.000Z"))!.Value;

        var (from, to) = NightlyPlan.Days(fire, Berlin, 1);

        Assert.Equal((new DateOnly(2024, 3, 31), new DateOnly(2024, 4, 1)), (from, to));
        var window = Assert.Single(Slicer.Slice(from, to, Berlin));
        Assert.Equal(At("2024-03-30T23:00:00Z"), window.From);
        Assert.Equal(At("2024-03-31T22:00:00Z"), window.To);
    }

    [Theory]
    [InlineData("2024-03-30T12:00:00Z", "2024-04-01T12:00:00Z", "2024-03-31")]
    [InlineData("2024-10-26T12:00:00Z", "2024-10-28T12:00:00Z", "2024-10-27")]
    public void FiringsOnADstChangeDay_AllNameTheSameJob(string after, string before, string day)
    {
        // 02:30 does not exist on the spring day and happens twice on the autumn one: whatever Quartz fires that
        // day, it makes one job per shop, named after the local day.
        var cron = NightlyPlan.Cron(AtHalfPastTwo, Berlin);
        var fires = new List<DateTimeOffset>();
        for (var t = cron.GetNextValidTimeAfter(At(after)); t < At(before); t = cron.GetNextValidTimeAfter(t!.Value))
        {
            fires.Add(t!.Value);
        }

        var ids = fires.Select(f => NightlyPlan.FireDate(f, Berlin)).Where(d => d == DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture))
            .Select(d => NightlyPlan.JobId("orders", "10001", d)).Distinct().ToList();
        Assert.Equal([$"orders-10001-{day.Replace("-", "", StringComparison.Ordinal)}"], ids);
    }

    [Fact]
    public void JobId_IsScheduleShopAndFiringDay()
    {
        Assert.Equal("orders-nightly-10001-20240503", NightlyPlan.JobId("orders-nightly", "10001", new DateOnly(2024, 5, 3)));
    }

    [Fact]
    public void CatchUp_AfterTwoMissedNights_RunsTheLatestOnceAndSkipsTheOther()
    {
        var ran = Days("2024-05-01");

        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron(AtHalfPastTwo, Utc), Utc, At("2024-05-03T12:00:00.000Z"), ran.Contains, ranBefore: true);

        Assert.Equal(At("2024-05-03T02:30:00Z"), plan.Fire);
        Assert.Equal([new DateOnly(2024, 5, 2)], plan.Skipped);
        Assert.False(plan.MoreSkipped);
    }

    [Fact]
    public void CatchUp_WhenTheLatestFiringRan_SkipsNothing()
    {
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron(AtHalfPastTwo, Utc), Utc, At("2024-05-03T12:00:00.000Z"), Days("2024-05-03").Contains, ranBefore: true);

        Assert.Equal(At("2024-05-03T02:30:00Z"), plan.Fire);
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public void CatchUp_NewSchedule_RunsTheLatestFiringAndHasMissedNothing()
    {
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron(AtHalfPastTwo, Utc), Utc, At("2024-05-03T02:29:59.999Z"), _ => false, ranBefore: false);

        Assert.Equal(At("2024-05-02T02:30:00Z"), plan.Fire);
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public void CatchUp_DownLongerThanTheLookBack_SaysMoreWereSkipped()
    {
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron(AtHalfPastTwo, Utc), Utc, At("2026-05-03T12:00:00.000Z"), _ => false, ranBefore: true);

        Assert.Equal(NightlyPlan.LookBack, plan.Skipped.Count);
        Assert.True(plan.MoreSkipped);
        Assert.Equal(new DateOnly(2026, 5, 2), plan.Skipped[^1]);
    }

    [Fact]
    public void CatchUp_HourlyCron_EarlierFiringsOfTheSameDayAreNotSkippedNights()
    {
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron("0 0 * * * ?", Utc), Utc, At("2024-05-03T05:10:00.000Z"), Days("2024-05-02").Contains, ranBefore: true);

        Assert.Equal(At("2024-05-03T05:00:00Z"), plan.Fire);
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public void CatchUp_WeekdayCron_SkipsOnlyDaysItWouldHaveFired()
    {
        // Monday; it last ran on Thursday: Friday was missed, the weekend has no firing.
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron("0 0 3 ? * MON-FRI", Utc), Utc, At("2024-05-06T12:00:00.000Z"), Days("2024-05-02").Contains, ranBefore: true);

        Assert.Equal(At("2024-05-06T03:00:00Z"), plan.Fire);
        Assert.Equal([new DateOnly(2024, 5, 3)], plan.Skipped);
    }

    [Fact]
    public void CatchUp_ExpressionThatNeverFiredYet_RunsNothing()
    {
        var plan = NightlyPlan.CatchUp(NightlyPlan.Cron("0 30 2 * * ? 2030", Utc), Utc, At("2024-05-03T12:00:00.000Z"), _ => false, ranBefore: true);

        Assert.Null(plan.Fire);
        Assert.Empty(plan.Skipped);
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static HashSet<DateOnly> Days(params string[] days) => [.. days.Select(d => DateOnly.Parse(d, System.Globalization.CultureInfo.InvariantCulture))];
}
