using Backfill.Cli.Output;
using Backfill.Scheduling;
using Backfill.Server.Platforms;

namespace Backfill.Cli.Tests.Output;

public sealed class LimitViewTests
{
    private static readonly PlatformStatus Budget = new("p", 0, null, null, null, []);

    [Fact]
    public void Write_SaysUnderTheTableHowEachPlatformCountsCalls_AndWhatAShopMayMake()
    {
        using var writer = new StringWriter();

        LimitView.Write(writer, [
            new PlatformView("shopee", 40, 40, false, 8, Budget with { Platform = "shopee" }, 0.1, 0.1, false, PerShopPermitsPerSecond: 10, Counting: "Arrival", ArrivalJitterMilliseconds: 50),
            new PlatformView("lazada", 12, 20, true, 4, Budget with { Platform = "lazada" }),
        ]);

        var lines = writer.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("shopee: calls counted on arrival (jitter 50 ms); each shop at most 10/s", lines);
        Assert.Contains("lazada: calls counted strict, until one window after the answer", lines);
        Assert.Single(lines, l => l.StartsWith("│ lazada", StringComparison.Ordinal) && l.Contains("12 (live)", StringComparison.Ordinal));
    }
}
