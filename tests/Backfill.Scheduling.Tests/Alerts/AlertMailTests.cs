using Backfill.Core.Jobs;
using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

public sealed class AlertMailTests
{
    private static readonly DateTimeOffset At = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void JobFailed_SubjectNamesTheEventJobAndPlatform_BodyItsCounts()
    {
        var job = new JobRecord { Id = "shopee-20240101-1a2b", Platform = "shopee", Shops = ["10001"], FirstDay = new DateOnly(2024, 1, 1), EndDay = new DateOnly(2024, 1, 3), State = JobState.Failed };
        var alert = Alert.JobFinished(job, new SliceCounts(0, 0, 0, 1, 1, 0), At);

        Assert.Equal("[backfill] job.failed: job shopee-20240101-1a2b, platform shopee", AlertMail.Subject(alert));
        var body = AlertMail.Body(alert);
        Assert.StartsWith("Job shopee-20240101-1a2b (shopee, shops 10001, 2024-01-01 to 2024-01-03) failed: 1 of 2 slices succeeded, 1 failed, 0 cancelled", body, StringComparison.Ordinal);
        Assert.Contains("state: failed", body, StringComparison.Ordinal);
        Assert.Contains("failed: 1", body, StringComparison.Ordinal);
    }

    [Fact]
    public void SliceFailedBatch_ListsEverySliceWithItsError()
    {
        var alert = Alert.SlicesFailed("j", "shopee", [new FailedSlice("j/1/20240101", "1", 1, At, "error_auth", "Permanent"), new FailedSlice("j/1/20240102", "1", 1, At, "timeout", null)], At, At);

        Assert.Equal("[backfill] slice.failed: job j, 2 slice(s), platform shopee", AlertMail.Subject(alert));
        Assert.Contains("  j/1/20240101 (shop 1, attempt 1, 2024-06-01T00:00:00.000Z, Permanent): error_auth", AlertMail.Body(alert), StringComparison.Ordinal);
        Assert.Contains("  j/1/20240102 (shop 1, attempt 1, 2024-06-01T00:00:00.000Z): timeout", AlertMail.Body(alert), StringComparison.Ordinal);
    }

    [Fact]
    public void CommitFailures_SubjectNamesTheWorker()
    {
        Assert.Equal("[backfill] worker.commit_failures: platform shopee, worker host-1-42", AlertMail.Subject(Alert.CommitFailures("shopee", "host-1-42", 3, At)));
    }
}
