using Backfill.Storage;
using Quartz;

namespace Backfill.Scheduling;

/// <summary>The Quartz job behind each backfill's release trigger; it removes its own trigger once the backfill is finished.</summary>
[DisallowConcurrentExecution]
internal sealed class ReleaseJob(ReleaseService releases, JobStore store) : IJob
{
    public const string JobIdKey = "jobId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var jobId = context.MergedJobDataMap.GetString(JobIdKey)!;
        if (store.Job(jobId) is not { IsFinished: false })
        {
            await context.Scheduler.DeleteJob(context.JobDetail.Key, cancellationToken);
            return;
        }

        await releases.ReleaseAsync(jobId, cancellationToken);
    }
}
