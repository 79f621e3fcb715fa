using Backfill.Core.Jobs;
using Quartz;

namespace Backfill.Scheduling;

/// <summary>
/// One Quartz trigger per backfill, firing at the job's cadence (every second for <c>auto</c>); each fire runs a release
/// round of the job's platform. Misfires are skipped (the next regular fire counts), and
/// <see cref="Core.Release.ReleasePolicy"/> allows one batch per period anyway, so downtime never
/// turns into a burst. LiteDB is the durable record: triggers of unfinished jobs are rebuilt from it at start.
/// Scheduling again replaces the trigger, so a new cadence holds from its next fire. Quartz keeps time with the
/// host's <see cref="TimeProvider"/>, so a trigger starts at that clock's now, not the wall clock's.
/// </summary>
public sealed class ReleaseTriggers(ISchedulerFactory schedulers, TimeProvider time)
{
    /// <param name="replace">
    /// False when re-arming at start: a job created meanwhile has its trigger already, and replacing it would fire a
    /// second release at once (held by the cadence only when the first one went out).
    /// </param>
    public async Task ScheduleAsync(JobRecord job, CancellationToken cancellationToken, bool replace = true)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (!replace && await scheduler.Exists(new TriggerKey($"release-{job.Id}", "release"), cancellationToken))
        {
            return;
        }

        var key = new JobKey($"release-{job.Id}", "release");
        var detail = JobBuilder.Create<ReleaseJob>()
            .WithIdentity(key)
            .UsingJobData(ReleaseJob.JobIdKey, job.Id)
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity($"release-{job.Id}", "release")
            .StartAt(time.GetUtcNow())
            .WithSimpleSchedule(s => s.WithInterval(Core.Release.ReleaseCadence.TickOf(job.ReleaseEvery)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
