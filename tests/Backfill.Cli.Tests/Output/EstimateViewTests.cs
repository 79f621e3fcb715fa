using Backfill.Cli.Output;
using Backfill.Core.Data;
using Backfill.Core.Release;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Tests.Output;

public sealed class EstimateViewTests
{
    private static readonly DateOnly May1 = new(2024, 5, 1);

    [Fact]
    public void Write_APerShopLimitThatDecides_IsNamedAsWhatSetsTheDuration()
    {
        using var writer = new StringWriter();
        var estimate = JobEstimate.Of("demo", ["a"], May1, May1.AddDays(30), 30, ReleaseCadence.Auto, 1, 50, Datasets.Orders, (_, _) => 100, _ => 9, shopCallsPerSecond: 2);

        EstimateView.Write(writer, estimate);

        Assert.Contains("expected duration: 25 min 0 s, set by the platform's per-shop limit (release bound 0 s, rate bound 1 min 0 s, per-shop bound 25 min 0 s)", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NoPerShopLimit_ShowsNoPerShopBound()
    {
        using var writer = new StringWriter();
        var estimate = JobEstimate.Of("demo", ["a"], May1, May1.AddDays(30), 30, ReleaseCadence.Auto, 1, 50, Datasets.Orders, (_, _) => 100, _ => 9);

        EstimateView.Write(writer, estimate);

        Assert.Contains("expected duration: 1 min 0 s, set by the platform's rate limit (release bound 0 s, rate bound 1 min 0 s)", writer.ToString(), StringComparison.Ordinal);
    }
}
