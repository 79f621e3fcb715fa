using Backfill.Simulators.Lazada;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests.Lazada;

public sealed class QuotaWindowTests
{
    private static readonly TimeZoneInfo Singapore = TimeZoneInfo.FindSystemTimeZoneById("Asia/Singapore");
    private static readonly TimeSpan Plus8 = TimeSpan.FromHours(8);

    [Fact]
    public void DayPeriod_StartsAtLocalMidnightOfTheZone_NotUtc()
    {
        var window = QuotaWindow.At(new DateTimeOffset(2026, 8, 1, 15, 59, 59, TimeSpan.Zero), TimeSpan.FromDays(1), Singapore);

        Assert.Equal(new DateTimeOffset(2026, 8, 1, 0, 0, 0, Plus8), window.Start);
        Assert.Equal(new DateTimeOffset(2026, 8, 2, 0, 0, 0, Plus8), window.End);
    }

    [Fact]
    public void DayPeriod_AtLocalMidnight_StartsTheNextWindow()
    {
        var window = QuotaWindow.At(new DateTimeOffset(2026, 8, 1, 16, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1), Singapore);

        Assert.Equal(new DateTimeOffset(2026, 8, 2, 0, 0, 0, Plus8), window.Start);
    }

    [Fact]
    public void MinutePeriod_RepeatsFromMidnight()
    {
        var window = QuotaWindow.At(new DateTimeOffset(2026, 8, 1, 10, 17, 42, 500, Plus8), TimeSpan.FromMinutes(1), Singapore);

        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 17, 0, Plus8), window.Start);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 18, 0, Plus8), window.End);
    }

    [Fact]
    public void PeriodThatDoesNotDivideTheDay_EndsItsLastWindowAtMidnight()
    {
        var lastWindow = QuotaWindow.At(new DateTimeOffset(2026, 8, 1, 23, 59, 0, Plus8), TimeSpan.FromMinutes(7), Singapore);

        // 1440 = 205 × 7 + 5: the last window of the day is five minutes long.
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 23, 55, 0, Plus8), lastWindow.Start);
        Assert.Equal(new DateTimeOffset(2026, 8, 2, 0, 0, 0, Plus8), lastWindow.End);
    }

    [Fact]
    public void Admission_MinuteQuota_RefusesWhenSpentAndAdmitsAgainAtTheReset()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 1, 10, 17, 30, Plus8));
        var quota = new LazadaQuota { Calls = 2, Period = TimeSpan.FromMinutes(1), ResetTimeZone = "Asia/Singapore" };
        var admission = new LazadaAdmission(0, [(quota, Singapore)], time);

        var spent = new[] { admission.TryAdmit(), admission.TryAdmit(), admission.TryAdmit(), admission.TryAdmit() };
        time.SetUtcNow(new DateTimeOffset(2026, 8, 1, 10, 17, 59, 999, Plus8));
        var justBefore = admission.TryAdmit();
        time.SetUtcNow(new DateTimeOffset(2026, 8, 1, 10, 18, 0, Plus8));
        var atReset = admission.TryAdmit();

        Assert.Equal([AdmissionOutcome.Admitted, AdmissionOutcome.Admitted, AdmissionOutcome.QuotaSpent, AdmissionOutcome.QuotaSpent], spent.Select(a => a.Outcome));
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 18, 0, Plus8), spent[2].ResetAt);
        Assert.Equal(AdmissionOutcome.QuotaSpent, justBefore.Outcome);
        Assert.Equal(AdmissionOutcome.Admitted, atReset.Outcome);
    }

    [Fact]
    public void Admission_DayQuota_ResetsAtTheZonesMidnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 1, 15, 0, 0, TimeSpan.Zero));
        var quota = new LazadaQuota { Calls = 1, Period = TimeSpan.FromDays(1), ResetTimeZone = "Asia/Singapore" };
        var admission = new LazadaAdmission(0, [(quota, Singapore)], time);

        var first = admission.TryAdmit();
        var second = admission.TryAdmit();
        time.SetUtcNow(new DateTimeOffset(2026, 8, 1, 16, 0, 0, TimeSpan.Zero));
        var afterMidnight = admission.TryAdmit();

        Assert.Equal(AdmissionOutcome.Admitted, first.Outcome);
        Assert.Equal(AdmissionOutcome.QuotaSpent, second.Outcome);
        Assert.Equal(new DateTimeOffset(2026, 8, 2, 0, 0, 0, Plus8), second.ResetAt);
        Assert.Equal(AdmissionOutcome.Admitted, afterMidnight.Outcome);
    }

    [Fact]
    public void Admission_RateRefusals_DoNotSpendTheQuota()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 1, 10, 0, 0, Plus8));
        var quota = new LazadaQuota { Calls = 3, Period = TimeSpan.FromMinutes(1), ResetTimeZone = "Asia/Singapore" };
        var admission = new LazadaAdmission(1, [(quota, Singapore)], time);

        var burst = Enumerable.Range(0, 5).Select(_ => admission.TryAdmit().Outcome).ToList();
        time.Advance(TimeSpan.FromSeconds(1));
        var second = admission.TryAdmit().Outcome;
        time.Advance(TimeSpan.FromSeconds(1));
        var third = admission.TryAdmit().Outcome;
        time.Advance(TimeSpan.FromSeconds(1));
        var fourth = admission.TryAdmit().Outcome;

        Assert.Equal([AdmissionOutcome.Admitted, .. Enumerable.Repeat(AdmissionOutcome.RateLimited, 4)], burst);
        Assert.Equal([AdmissionOutcome.Admitted, AdmissionOutcome.Admitted, AdmissionOutcome.QuotaSpent], [second, third, fourth]);
    }

    [Theory]
    [InlineData(0, "00:01:00", "UTC")]
    [InlineData(5, "00:00:00", "UTC")]
    [InlineData(5, "1.00:00:01", "UTC")]
    [InlineData(5, "00:01:00", "Mars/Olympus_Mons")]
    public void Quota_Invalid_IsRefusedAtStart(long calls, string period, string zone)
    {
        var quota = new LazadaQuota { Calls = calls, Period = TimeSpan.Parse(period, System.Globalization.CultureInfo.InvariantCulture), ResetTimeZone = zone };

        Assert.ThrowsAny<ArgumentException>(() => quota.Validate());
    }
}
