using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Core.Slicing;
using Backfill.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Backfill.Scheduling.Nightly;

/// <summary>
/// The configured <c>Schedules</c>: one Quartz cron trigger each, in the schedule's time zone. A firing creates one job
/// per shop for the days before it, under a deterministic id, and only the jobs that do not exist yet, so a firing that
/// runs twice (a restart, a misfire, a manual trigger) creates nothing new. At start each schedule catches up once:
/// its latest firing runs, the nights missed before it are skipped and said so.
/// </summary>
public sealed partial class NightlyRuns(
    IOptions<NightlyOptions> options,
    IOptions<BackfillOptions> backfill,
    JobPlanner planner,
    JobStore store,
    ISchedulerFactory schedulers,
    TimeProvider time,
    ILogger<NightlyRuns> logger) : IHostedService, IDisposable
{
    public const string Group = "nightly";

    // Firings of different schedules, catch-ups and manual triggers all check the store before creating: one at a time.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _firings;

    /// <summary>Firings handled since start (catch-ups included), whatever they created.</summary>
    public long Firings => Interlocked.Read(ref _firings);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var schedule in options.Value.Schedules)
        {
            var zone = Zone(schedule);
            var key = new JobKey($"{Group}-{schedule.Name}", Group);
            var detail = JobBuilder.Create<NightlyJob>().WithIdentity(key).UsingJobData(NightlyJob.ScheduleKey, schedule.Name).Build();

            // Armed before the catch-up looks at "now": a firing in between is seen by both, and created once.
            var trigger = TriggerBuilder.Create(time)
                .WithIdentity(key.Name, Group)
                .StartAt(time.GetUtcNow())
                .WithCronSchedule(schedule.Cron, cron => cron.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);

            var cron = NightlyPlan.Cron(schedule.Cron, zone);
            var now = time.GetUtcNow();
            var ranBefore = store.Jobs().Any(j => j.Source == schedule.Name);
            var plan = NightlyPlan.CatchUp(cron, zone, now, day => Ran(schedule, day), ranBefore);
            Log.Armed(logger, schedule.Name, schedule.Cron, zone.Id, cron.GetNextValidTimeAfter(now));
            if (plan.Skipped.Count > 0)
            {
                Log.Skipped(logger, schedule.Name, plan.Skipped.Count, plan.MoreSkipped ? "at least " : "", string.Join(", ", plan.Skipped.Select(Day)));
            }

            if (plan.Fire is { } fire)
            {
                await FireAsync(schedule.Name, fire, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Runs the firing of <paramref name="schedule"/> scheduled at (or last before) <paramref name="scheduledAt"/>: creates
    /// each shop's job unless it exists. Returns the ids created now.
    /// </summary>
    public async Task<IReadOnlyList<string>> FireAsync(string schedule, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var found = options.Value.Schedules.FirstOrDefault(s => s.Name == schedule);
        if (found is null)
        {
            Log.UnknownSchedule(logger, schedule);
            return [];
        }

        var zone = Zone(found);
        var fire = NightlyPlan.LatestAtOrBefore(NightlyPlan.Cron(found.Cron, zone), scheduledAt) ?? scheduledAt;
        var day = NightlyPlan.FireDate(fire, zone);
        var (from, to) = NightlyPlan.Days(fire, zone, found.DaysBack);
        var created = new List<string>();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var shop in found.Shops.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal))
            {
                var id = NightlyPlan.JobId(found.Name, shop, day);
                if (store.Job(id) is not null)
                {
                    Log.Exists(logger, found.Name, id);
                    continue;
                }

                try
                {
                    var request = new BackfillRequest(found.Platform, [shop], from, to, found.ReleaseEvery is { } every ? ReleaseCadence.Parse(every) : null, Source: found.Name, JobId: id, TimeZone: zone.Id)
                    {
                        Data = found.Datasets(),
                        TimeField = found.TimeField,
                        Priority = JobPriorityNames.TryParse(found.Priority, out var priority) ? priority : JobPriority.High,
                    };
                    var (job, slices) = await planner.CreateAsync(request, cancellationToken);
                    created.Add(job.Id);
                    Log.Created(logger, found.Name, job.Id, shop, Day(from), Day(to), slices, fire);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One shop's refusal (an overlapping active job, say) must not stop the others or the trigger.
                    Log.NotCreated(logger, found.Name, id, e.Message);
                }
            }
        }
        finally
        {
            _gate.Release();
            Interlocked.Increment(ref _firings);
        }

        return created;
    }

    private bool Ran(ScheduleOptions schedule, DateOnly day) =>
        schedule.Shops.Any(shop => store.Job(NightlyPlan.JobId(schedule.Name, shop.Trim(), day)) is not null);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private TimeZoneInfo Zone(ScheduleOptions schedule) =>
        DayClock.Zone(schedule.TimeZone ?? backfill.Value.TimeZone, $"Schedules:{schedule.Name}:TimeZone");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Schedule {Schedule}: cron '{Cron}' in {Zone}, next firing {Next:O}")]
        public static partial void Armed(ILogger logger, string schedule, string cron, string zone, DateTimeOffset? next);

        [LoggerMessage(2, LogLevel.Warning, "Schedule {Schedule}: {Prefix}{Count} missed night(s) skipped while the scheduler was down ({Days}); catching up once with the latest firing only. Start a backfill for those days if they are needed")]
        public static partial void Skipped(ILogger logger, string schedule, int count, string prefix, string days);

        [LoggerMessage(3, LogLevel.Information, "Schedule {Schedule}: created job {Job} for shop {Shop}, days [{From}, {To}), {Slices} slices (firing {Fire:O})")]
        public static partial void Created(ILogger logger, string schedule, string job, string shop, string from, string to, int slices, DateTimeOffset fire);

        [LoggerMessage(4, LogLevel.Debug, "Schedule {Schedule}: job {Job} exists already; not created again")]
        public static partial void Exists(ILogger logger, string schedule, string job);

        [LoggerMessage(5, LogLevel.Error, "Schedule {Schedule}: job {Job} was not created: {Reason}")]
        public static partial void NotCreated(ILogger logger, string schedule, string job, string reason);

        [LoggerMessage(6, LogLevel.Warning, "A firing of schedule {Schedule}, which is no longer configured, was ignored")]
        public static partial void UnknownSchedule(ILogger logger, string schedule);
    }
}
