using Backfill.Core.Jobs;
using Backfill.Hosting;

namespace Backfill.EndToEnd.Tests;

[Trait("Category", "Integration")]
public sealed class BackfillEndToEndTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Backfill_SixDaysTwoShops_SavesExactlyTheOrdersThePlatformHas()
    {
        await using var harness = await Harness.StartAsync();
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 6), null, cts.Token);

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(12, summary.Slices.Total);
        Assert.Equal(12, summary.Slices.Succeeded);
        Assert.True(summary.OrdersExpected > 300, $"the range should hold real volume, got {summary.OrdersExpected}");
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.True(summary.OrdersEmitted >= summary.OrdersUnique);
        Assert.Equal(0, summary.Throttled);
        Assert.Equal(0, harness.Simulator.Stats.Refused);
        Assert.Equal(0, summary.CommitFailures);
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public async Task Backfill_PlatformAuthError_FailsTheSliceFastWithAReadableMessageAndNoSecret()
    {
        await using var harness = await Harness.StartAsync();
        harness.Simulator.Switches.AuthFailShops.Add("20002");
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 1), 2), null, cts.Token);

        Assert.Equal(JobState.Failed, summary.State);
        Assert.Equal(2, summary.Slices.Succeeded);
        Assert.Equal(2, summary.Slices.Failed);
        Assert.All(summary.Failures, f =>
        {
            Assert.Contains("/20002/", f.Slice, StringComparison.Ordinal);
            Assert.Contains("error_auth", f.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.Token("20002"), f.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.PartnerKey, f.Error, StringComparison.Ordinal);
        });
        Assert.Equal(2, summary.DeadLettered);
        Assert.False(summary.Succeeded);
        Assert.DoesNotContain(Harness.Token("20002"), summary.ToJson(), StringComparison.Ordinal);
    }
}
