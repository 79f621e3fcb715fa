
namespace Backfill.Simulators.Tests;

public sealed class LatencyRangeTests
{
    [Theory]
    [InlineData("300", 300, 300)]
    [InlineData("150-350", 150, 350)]
    [InlineData("0", 0, 0)]
    public void TryParse_MillisecondsOrARange_Reads(string text, int min, int max)
    {
        Assert.True(LatencyRange.TryParse(text, out var range, out _));
        Assert.Equal(new LatencyRange(TimeSpan.FromMilliseconds(min), TimeSpan.FromMilliseconds(max)), range);
    }

    [Theory]
    [InlineData("350-150")]
    [InlineData("-5")]
    [InlineData("1-2-3")]
    [InlineData("0.5")]
    [InlineData("")]
    public void TryParse_AnythingElse_SaysWhy(string text)
    {
        Assert.False(LatencyRange.TryParse(text, out _, out var problem));
        Assert.Contains("150-350", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Switches_WithARange_DrawEachLatencyInsideIt_TheSameForTheSameSeed()
    {
        static List<TimeSpan> Draws(int seed)
        {
            var switches = new SimulatorSwitches(seed) { Latency = TimeSpan.FromMilliseconds(150), LatencyMax = TimeSpan.FromMilliseconds(350) };
            return [.. Enumerable.Range(0, 200).Select(_ => switches.NextLatency())];
        }

        var draws = Draws(42);

        Assert.All(draws, d => Assert.InRange(d, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(350)));
        Assert.True(draws.Max() - draws.Min() > TimeSpan.FromMilliseconds(150), "the draws spread over the range");
        Assert.Equal(draws, Draws(42));
    }

    [Fact]
    public void Switches_WithoutAMax_AnswerAfterTheLatency()
    {
        var switches = new SimulatorSwitches(1) { Latency = TimeSpan.FromMilliseconds(40) };

        Assert.Equal(TimeSpan.FromMilliseconds(40), switches.NextLatency());
    }

    [Fact]
    public void Switches_MaxBelowTheLatency_IsRefused()
    {
        var switches = new SimulatorSwitches { Latency = TimeSpan.FromMilliseconds(300) };

        Assert.Throws<ArgumentOutOfRangeException>(() => switches.LatencyMax = TimeSpan.FromMilliseconds(100));
    }
}
