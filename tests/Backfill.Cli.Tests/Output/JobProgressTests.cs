using System.Text.RegularExpressions;
using Backfill.Cli.Output;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Tests.Output;

public sealed class JobProgressTests
{
    private static readonly JobStatus Succeeded = new()
    {
        Job = "shopee-1",
        State = "succeeded",
        Platform = "shopee",
        Shops = ["1"],
        From = new DateOnly(2024, 1, 1),
        To = new DateOnly(2024, 1, 3),
        Source = "cli",
        CreatedAt = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero),
        ReleaseEvery = "auto",
        SlicesPerRelease = 1,
        Slices = new SliceTotals(2, 0, 0, 0, 2, 0, 0),
        Orders = new OrderTotals(500, 500),
    };

    [Fact]
    public void ASucceededJobWhoseOrdersAreOnTheirWay_IsSaving_NotOver() =>
        Assert.Equal((true, false, false), (JobProgress.Saving(Succeeded), JobProgress.IsOver(Succeeded), JobProgress.Succeeded(Succeeded)));

    [Fact]
    public void ASucceededJobWithEveryOrderSaved_IsOverAndSucceeded()
    {
        var saved = Succeeded with { Orders = new OrderTotals(500, 500, AllSaved: true) };

        Assert.Equal((false, true, true), (JobProgress.Saving(saved), JobProgress.IsOver(saved), JobProgress.Succeeded(saved)));
    }

    [Fact]
    public void ASucceededJobWhoseRecordsWereLost_IsOverButNotSucceeded_AndItsStatusSaysHowToGetThemBack()
    {
        var lost = Succeeded with { Orders = new OrderTotals(500, 420, Lost: 80) };
        using var status = new StringWriter();

        StatusView.Write(status, lost);
        // The console colours and wraps long lines.
        var text = Regex.Replace(Regex.Replace(status.ToString(), @"\x1b\[[0-9;]*m", ""), @"\s+", " ");

        Assert.Equal((false, true, false), (JobProgress.Saving(lost), JobProgress.IsOver(lost), JobProgress.Succeeded(lost)));
        Assert.Contains("records lost: 80 record(s) left the data topics before the sink read them", text, StringComparison.Ordinal);
        Assert.Contains("'backfill retry shopee-1 --force'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("saving:", text, StringComparison.Ordinal);
    }
}
