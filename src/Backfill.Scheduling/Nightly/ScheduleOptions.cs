namespace Backfill.Scheduling.Nightly;

/// <summary>One nightly run, an item of the configuration list <c>Schedules</c>.</summary>
public sealed class ScheduleOptions
{
    /// <summary>Unique; letters, digits, '.', '_' or '-'. It becomes the jobs' <c>source</c> and part of their ids. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>A Quartz cron expression (seconds first), e.g. <c>0 30 2 * * ?</c> for 02:30 every day. Required.</summary>
    public string Cron { get; set; } = "";

    /// <summary>IANA zone the cron and the days are read in. Default: <c>Backfill:TimeZone</c>.</summary>
    public string? TimeZone { get; set; }

    /// <summary>A platform configured under <c>Platforms:</c>. Required.</summary>
    public string Platform { get; set; } = "";

    /// <summary>One job per shop per firing. At least one.</summary>
    public List<string> Shops { get; set; } = [];

    /// <summary>Whole days before the firing's day that each job covers. Default 1 (yesterday).</summary>
    public int DaysBack { get; set; } = 1;

    /// <summary>Release cadence of the schedule's jobs. Default: <c>Backfill:ReleaseEvery</c>.</summary>
    public TimeSpan? ReleaseEvery { get; set; }
}

/// <summary>The configured schedules (the top-level list <c>Schedules</c>).</summary>
public sealed class NightlyOptions
{
    public List<ScheduleOptions> Schedules { get; set; } = [];
}
