namespace Backfill.Hosting;

/// <summary>What a process runs: the scheduler (LiteDB, release, progress, sink), workers, or both.</summary>
[Flags]
public enum BackfillRoles
{
    Scheduler = 1,
    Worker = 2,
    All = Scheduler | Worker,
}
