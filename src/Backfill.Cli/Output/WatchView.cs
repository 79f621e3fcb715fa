using Backfill.Cli.Remote;
using Backfill.Server.Jobs;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>
/// Follows a job until it is over with a progress bar of its finished slices (on a terminal live; otherwise a line as it
/// moves): a job that succeeded is followed on until the sink has saved all its orders.
/// </summary>
internal static class WatchView
{
    /// <returns>The job's last status and the scheduler's body of it.</returns>
    public static async Task<(JobStatus Status, string Body)> FollowAsync(
        SchedulerClient client, string job, TextWriter writer, TimeSpan every, TimeProvider time, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var last = await client.JobStatusAsync(job, cancellationToken);
        if (JobProgress.IsOver(last.Status))
        {
            return last;
        }

        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Describe(last.Status), maxValue: Math.Max(1, last.Status.Slices.Total));
                while (true)
                {
                    bar.MaxValue = Math.Max(1, last.Status.Slices.Total);
                    bar.Value = JobProgress.Done(last.Status.Slices);
                    bar.Description = Describe(last.Status);
                    if (JobProgress.IsOver(last.Status))
                    {
                        bar.StopTask();
                        context.Refresh();
                        return;
                    }

                    await Task.Delay(every, time, cancellationToken);
                    last = await client.JobStatusAsync(job, cancellationToken);
                }
            });
        return last;
    }

    private static string Describe(JobStatus status)
    {
        var s = status.Slices;
        var state = JobProgress.Saving(status) ? $"{status.State}, saving orders" : status.Orders.Lost > 0 ? $"{status.State}, {status.Orders.Lost} records lost" : status.State;
        return Markup.Escape($"{status.Job} {state}: {s.Succeeded} succeeded, {s.Failed} failed, {s.Running + s.Released} in flight, {s.Pending} pending; orders {status.Orders.Saved} saved / {status.Orders.Emitted} emitted");
    }
}
