using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;

namespace Backfill.Platforms.Tests.Quotas;

public sealed class QuotaPlanTests
{
    private static readonly DateTimeOffset Noon = new(2026, 9, 15, 4, 0, 0, TimeSpan.Zero); // 12:00 in Singapore

    private static QuotaPlan Plan(double share = 0.8, params QuotaOptions[] quotas) =>
        QuotaPlan.For(new RateLimitOptions { PermitsPerSecond = 10, BackfillShare = share, Quotas = [.. quotas] });

    [Fact]
    public void Usable_IsTheBackfillShareOfEachQuota_RoundedDown()
    {
        var plan = Plan(0.8, new QuotaOptions { Calls = 50_000 }, new QuotaOptions { Calls = 99, Period = TimeSpan.FromMinutes(1) });

        Assert.Equal([40_000L, 79L], plan.Shapes.Select(s => s.Usable));
    }

    [Fact]
    public void DayWindow_StartsAtTheZonesMidnight()
    {
        var shape = Plan(1, new QuotaOptions { Calls = 10, ResetTimeZone = "Asia/Singapore" }).Shapes[0];

        var (start, end) = shape.WindowAt(Noon);

        Assert.Equal(new DateTimeOffset(2026, 9, 14, 16, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 9, 15, 16, 0, 0, TimeSpan.Zero), end);
    }

    [Fact]
    public void MinuteWindows_RepeatFromMidnight_AndTheLastOfADayOfAnUnevenPeriodEndsAtMidnight()
    {
        var minute = Plan(1, new QuotaOptions { Calls = 10, Period = TimeSpan.FromMinutes(1), ResetTimeZone = "Asia/Singapore" }).Shapes[0];
        var seven = Plan(1, new QuotaOptions { Calls = 10, Period = TimeSpan.FromMinutes(7), ResetTimeZone = "Asia/Singapore" }).Shapes[0];

        Assert.Equal((Noon, Noon.AddMinutes(1)), minute.WindowAt(Noon.AddSeconds(30)));
        var lastOfDay = seven.WindowAt(new DateTimeOffset(2026, 9, 15, 15, 59, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 9, 15, 16, 0, 0, TimeSpan.Zero), lastOfDay.End);
        Assert.Equal(TimeSpan.FromMinutes(1440 % 7), lastOfDay.End - lastOfDay.Start);
    }

    [Fact]
    public void GrantEnd_IsTheEarliestWindowEndOfAllQuotas()
    {
        var plan = Plan(0.8, new QuotaOptions { Calls = 1000, ResetTimeZone = "Asia/Singapore" }, new QuotaOptions { Calls = 100, Period = TimeSpan.FromMinutes(1), ResetTimeZone = "UTC" });

        Assert.Equal(Noon.AddMinutes(1), plan.GrantEnd(Noon.AddSeconds(10)));
    }

    [Fact]
    public void PeriodsFor_CountsWindowsOfTheShareTheCallsNeed()
    {
        var plan = Plan(0.8, new QuotaOptions { Calls = 500, Period = TimeSpan.FromMinutes(1) });

        Assert.Equal(1, plan.PeriodsFor(400));
        Assert.Equal(2, plan.PeriodsFor(401));
        Assert.Equal(3, plan.PeriodsFor(1_000));
        Assert.Equal(1, Plan().PeriodsFor(1_000_000));
    }
}
