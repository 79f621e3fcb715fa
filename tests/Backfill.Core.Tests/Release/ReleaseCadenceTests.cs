using Backfill.Core.Release;

namespace Backfill.Core.Tests.Release;

public sealed class ReleaseCadenceTests
{
    [Theory]
    [InlineData("auto", 0)]
    [InlineData(" AUTO ", 0)]
    [InlineData("00:05:00", 300)]
    [InlineData("00:00:00.5", 0.5)]
    [InlineData("1.00:00:00", 86_400)]
    public void TryParse_AutoOrAPositivePeriod(string text, double seconds)
    {
        Assert.True(ReleaseCadence.TryParse(text, out var every, out var problem));
        Assert.Null(problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), every);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnythingElse_SaysWhatToWrite(string? text)
    {
        Assert.False(ReleaseCadence.TryParse(text, out _, out var problem));
        Assert.Contains("auto", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("auto", ReleaseCadence.Format(ReleaseCadence.Auto));
        Assert.Equal("00:05:00", ReleaseCadence.Format(TimeSpan.FromMinutes(5)));
        Assert.Equal(ReleaseCadence.AutoTick, ReleaseCadence.TickOf(ReleaseCadence.Auto));
    }
}
