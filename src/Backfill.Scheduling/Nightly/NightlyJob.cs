using Quartz;

namespace Backfill.Scheduling.Nightly;

/// <summary>The Quartz job behind each schedule's cron trigger.</summary>
[DisallowConcurrentExecution]
internal sealed class NightlyJob(NightlyRuns runs) : IJob
{
    public const string ScheduleKey = "schedule";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runs.FireAsync(context.MergedJobDataMap.GetString(ScheduleKey)!, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken);
}
