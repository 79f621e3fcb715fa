using Backfill.Core.Jobs;
using Quartz;

namespace Backfill.Scheduling;

/// <summary>
/// One Quartz trigger per backfill, firing at the job's cadence. Misfires are skipped (the next regular fire
/// counts), and <see cref="Core.Release.ReleasePolicy"/> allows one batch per cadence anyway, so downtime never
/// turns into a burst. LiteDB is the durable record: triggers of unfinished jobs are rebuilt from it at start.
/// Scheduling again replaces the trigger, so a new cadence holds from its next fire. Quartz keeps time with the
/// host's <see cref="TimeProvider"/>, so a trigger starts at that clock's now, not the wall clock's.
/// </summary>
public sealed class ReleaseTriggers(ISchedulerFactory schedulers, TimeProvider time)
{
    public async Task ScheduleAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = new JobKey($"release-{job.Id}", "release");
        var detail = JobBuilder.Create<ReleaseJob>()
            .WithIdentity(key)
            .UsingJobData(ReleaseJob.JobIdKey, job.Id)
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity($"release-{job.Id}", "release")
            .StartAt(time.GetUtcNow())
            .WithSimpleSchedule(s => s.WithInterval(job.ReleaseEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
