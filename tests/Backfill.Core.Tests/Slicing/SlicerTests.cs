using Backfill.Core.Slicing;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Core.Tests.Slicing;

public sealed class SlicerTests
{
    private static readonly TimeZoneInfo Utc = DayClock.Zone("UTC");
    private static readonly TimeZoneInfo Berlin = DayClock.Zone("Europe/Berlin");

    [Fact]
    public void Slice_OneDayRange_GivesOneSliceOfTwentyFourHours()
    {
        var slices = Slicer.Slice(new DateOnly(2024, 3, 10), new DateOnly(2024, 3, 11), Utc);

        var slice = Assert.Single(slices);
        Assert.Equal(new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), slice.From);
        Assert.Equal(TimeSpan.FromHours(24), slice.To - slice.From);
    }

    [Fact]
    public void Slice_SpringForwardInBerlin_DayIsTwentyThreeHours()
    {
        var slices = Slicer.Slice(new DateOnly(2024, 3, 30), new DateOnly(2024, 4, 2), Berlin);

        Assert.Equal([24, 23, 24], slices.Select(s => (s.To - s.From).TotalHours));
        Assert.Equal(new DateTimeOffset(2024, 3, 31, 0, 0, 0, TimeSpan.FromHours(1)), slices[1].From);
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.FromHours(2)), slices[2].From);
    }

    [Fact]
    public void Slice_FallBackInBerlin_DayIsTwentyFiveHours()
    {
        var slices = Slicer.Slice(new DateOnly(2024, 10, 27), new DateOnly(2024, 10, 28), Berlin);

        Assert.Equal(25, Assert.Single(slices).To.Subtract(slices[0].From).TotalHours);
    }

    [Fact]
    public void Slice_SlicesAreContiguousAndCoverTheRange()
    {
        var slices = Slicer.Slice(new DateOnly(2024, 3, 1), new DateOnly(2024, 12, 1), Berlin, daysPerSlice: 7);

        for (var i = 1; i < slices.Count; i++)
        {
            Assert.Equal(slices[i - 1].To, slices[i].From);
            Assert.Equal(slices[i - 1].EndDay, slices[i].FirstDay);
        }

        Assert.Equal(new DateOnly(2024, 12, 1), slices[^1].EndDay);
        Assert.Equal(2, slices[^1].EndDay.DayNumber - slices[^1].FirstDay.DayNumber);
    }

    [Fact]
    public void Slice_LeapYearFebruary_HasTwentyNineDays()
    {
        var slices = Slicer.Slice(new DateOnly(2024, 2, 1), new DateOnly(2024, 3, 1), Utc);

        Assert.Equal(29, slices.Count);
        Assert.Equal(new DateOnly(2024, 2, 29), slices[^1].FirstDay);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), slices[^1].To);
    }

    [Fact]
    public void Slice_MidnightThatDoesNotExist_StartsAtTheFirstValidMinute()
    {
        // Chile moved clocks from 00:00 to 01:00 on 2024-09-08.
        var santiago = DayClock.Zone("America/Santiago");

        var slice = Assert.Single(Slicer.Slice(new DateOnly(2024, 9, 8), new DateOnly(2024, 9, 9), santiago));

        Assert.Equal(new DateTimeOffset(2024, 9, 8, 1, 0, 0, TimeSpan.FromHours(-3)), slice.From);
        Assert.Equal(23, (slice.To - slice.From).TotalHours);
    }

    [Fact]
    public void Slice_ReversedRange_IsAClearError()
    {
        var error = Assert.Throws<InvalidRangeException>(() => Slicer.Slice(new DateOnly(2024, 5, 2), new DateOnly(2024, 5, 1), Utc));

        Assert.Contains("reversed", error.Message, StringComparison.Ordinal);
        Assert.Contains("2024-05-02", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slice_EmptyRange_IsAClearErrorThatSuggestsTheFix()
    {
        var error = Assert.Throws<InvalidRangeException>(() => Slicer.Slice(new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 1), Utc));

        Assert.Contains("--to 2024-05-02", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Slice_SliceSizeBelowOneDay_IsRejected(int days) =>
        Assert.Throws<InvalidRangeException>(() => Slicer.Slice(new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 3), Utc, days));

    [Fact]
    public void LastDays_AreTheWholeDaysBeforeTodayInTheZone()
    {
        // 23:30 UTC on May 10 is already May 11 in Taipei.
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 10, 23, 30, 0, TimeSpan.Zero));

        var (from, to) = Slicer.LastDays(3, time, DayClock.Zone("Asia/Taipei"));

        Assert.Equal(new DateOnly(2024, 5, 8), from);
        Assert.Equal(new DateOnly(2024, 5, 11), to);
    }

    [Fact]
    public void Zone_UnknownId_NamesTheKey()
    {
        var error = Assert.Throws<InvalidRangeException>(() => DayClock.Zone("Mars/Olympus"));

        Assert.Contains("Backfill:TimeZone", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Asia/Taipei")]
    [InlineData("Pacific/Kiritimati")]
    [InlineData("Pacific/Pago_Pago")]
    [InlineData("America/Los_Angeles")]
    [InlineData("UTC")]
    public void Slice_TheFirstDayThereIs_IsRefusedNamingTheSupportedDays(string zone)
    {
        var e = Assert.Throws<InvalidRangeException>(() => Slicer.Slice(new DateOnly(1, 1, 1), new DateOnly(1, 1, 3), TimeZoneInfo.FindSystemTimeZoneById(zone)));

        Assert.Contains("Days from 0001-01-02 to 9999-12-30 are supported", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Asia/Taipei")]
    [InlineData("Pacific/Kiritimati")]
    [InlineData("Pacific/Pago_Pago")]
    [InlineData("America/Los_Angeles")]
    [InlineData("Etc/GMT+12")]
    [InlineData("UTC")]
    public void Slice_TheEdgesOfTheSupportedDays_AreInstantsInEveryZone(string zone)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);

        var first = Slicer.Slice(Slicer.FirstDay, Slicer.FirstDay.AddDays(2), tz);
        var last = Slicer.Slice(Slicer.LastDay.AddDays(-1), Slicer.LastDay.AddDays(1), tz);

        Assert.Equal(2, first.Count);
        Assert.Equal(2, last.Count);
        Assert.Equal(DateOnly.MaxValue, last[^1].EndDay);
        Assert.True(last[^1].To > last[^1].From);
    }

    [Fact]
    public void Slice_SeveralDaysPerSlice_EndingOnTheLastDayThereIs_CutsTheLastWindowShort()
    {
        var windows = Slicer.Slice(new DateOnly(9999, 12, 20), DateOnly.MaxValue, TimeZoneInfo.Utc, daysPerSlice: 15);

        var window = Assert.Single(windows);
        Assert.Equal((new DateOnly(9999, 12, 20), DateOnly.MaxValue), (window.FirstDay, window.EndDay));
    }

    [Theory]
    [InlineData("2024-01-01", "2024-01-02", 1, 1)]
    [InlineData("2024-01-01", "2024-12-31", 1, 365)]
    [InlineData("2024-01-01", "2024-01-31", 7, 5)]
    [InlineData("2024-01-01", "2024-01-16", 15, 1)]
    [InlineData("2024-01-01", "2024-01-17", 15, 2)]
    public void Count_IsTheNumberOfWindowsSliceCuts_WithoutCutting(string from, string to, int daysPerSlice, int count)
    {
        var (f, t) = (DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(count, Slicer.Count(f, t, daysPerSlice));
        Assert.Equal(count, Slicer.Slice(f, t, TimeZoneInfo.Utc, daysPerSlice).Count);
    }
}
