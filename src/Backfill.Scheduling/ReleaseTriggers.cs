using Backfill.Core.Jobs;
using Quartz;

namespace Backfill.Scheduling;

/// <summary>
/// One Quartz trigger per backfill, firing at the job's cadence. Misfires are skipped (the next regular fire
/// counts), and <see cref="Core.Release.ReleasePolicy"/> allows one batch per cadence anyway, so downtime never
/// turns into a burst. LiteDB is the durable record: triggers of unfinished jobs are rebuilt from it at start.
/// </summary>
public sealed class ReleaseTriggers(ISchedulerFactory schedulers)
{
    public async Task ScheduleAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = new JobKey($"release-{job.Id}", "release");
        var detail = JobBuilder.Create<ReleaseJob>()
            .WithIdentity(key)
            .UsingJobData(ReleaseJob.JobIdKey, job.Id)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"release-{job.Id}", "release")
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(job.ReleaseEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
