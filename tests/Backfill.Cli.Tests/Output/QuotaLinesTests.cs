using Backfill.Cli.Output;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling;
using Backfill.Server.Jobs;
using Backfill.Server.Platforms;

namespace Backfill.Cli.Tests.Output;

public sealed class QuotaLinesTests
{
    private static readonly DateTimeOffset Reset = new(2024, 6, 1, 12, 1, 0, TimeSpan.Zero);

    private static PlatformStatus Spent() => new("lz", 0, Reset, "quota spent, resumes at …", null, [])
    {
        QuotaSpentUntil = Reset,
        Quotas = [new QuotaUse(100, 80, TimeSpan.FromMinutes(1), 80, Reset), new QuotaUse(50_000, 40_000, TimeSpan.FromDays(1), 1_234, new DateTimeOffset(2024, 6, 2, 0, 0, 0, TimeSpan.FromHours(8)))],
    };

    [Fact]
    public void Of_ASpentQuota_SaysWhenItResumes_AndEachQuotasUseInItsWindow()
    {
        Assert.Equal(
            [
                "lz: quota spent, resumes at 2024-06-01 12:01:00 +00:00",
                "lz quota: 80/80 granted of 100 calls per 00:01:00, window ends 2024-06-01 12:01:00 +00:00",
                "lz quota: 1234/40000 granted of 50000 calls per 1.00:00:00, window ends 2024-06-02 00:00:00 +08:00",
            ],
            QuotaLines.Of(Spent()));
    }

    [Fact]
    public void Of_APlatformWithoutQuotas_IsNothing() =>
        Assert.Empty(QuotaLines.Of(new PlatformStatus("demo", 0, null, null, null, [])));

    [Fact]
    public void StatusAndLimit_ShowTheQuotaLines_AndNoSeparateCoolOffForTheQuotasPause()
    {
        using var status = new StringWriter();
        using var limit = new StringWriter();

        StatusView.Write(status, Job() with { Platforms = [Spent()] });
        LimitView.Write(limit, [new PlatformView("lz", 10, 10, false, 4, Spent())]);

        Assert.Contains("lz: quota spent, resumes at 2024-06-01 12:01:00 +00:00", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("lz quota: 80/80 granted of 100 calls per 00:01:00", status.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cooling off", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("lz: quota spent, resumes at 2024-06-01 12:01:00 +00:00", limit.ToString(), StringComparison.Ordinal);
        Assert.Contains("lz quota: 1234/40000 granted of 50000 calls per 1.00:00:00", limit.ToString(), StringComparison.Ordinal);
    }

    private static JobStatus Job() => new()
    {
        Job = "lz-1",
        State = "running",
        Platform = "lz",
        Shops = ["seller-a"],
        From = new DateOnly(2024, 1, 1),
        To = new DateOnly(2024, 1, 2),
        Source = "cli",
        CreatedAt = Reset,
        ReleaseEvery = "00:00:01",
        SlicesPerRelease = 1,
        Slices = new SliceTotals(1, 1, 0, 0, 0, 0, 0),
        Orders = new OrderTotals(0),
    };
}
