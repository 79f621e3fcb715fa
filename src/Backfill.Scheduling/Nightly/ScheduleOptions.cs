using Backfill.Core.Data;
using Microsoft.Extensions.Configuration;

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

    /// <summary>Release cadence of the schedule's jobs, <c>HH:MM:SS</c> or <c>auto</c>. Default: <c>Backfill:ReleaseEvery</c>.</summary>
    public string? ReleaseEvery { get; set; }

    /// <summary>
    /// Priority of the schedule's jobs: <c>high</c>, <c>normal</c> or <c>low</c>. Default <c>high</c>: the nightly run
    /// keeps the data fresh and goes before an onboarding rollback of years.
    /// </summary>
    public string Priority { get; set; } = "high";

    /// <summary>What the schedule's jobs pull: a list of dataset names, or one comma list (<c>orders,finance</c>). Default orders.</summary>
    public List<string> Data { get; set; } = [];

    /// <summary><c>create_time</c> or <c>update_time</c>. Default: the platform's <c>TimeRangeField</c>.</summary>
    public string? TimeField { get; set; }

    /// <summary>The datasets <see cref="Data"/> names, orders when it names none.</summary>
    /// <exception cref="FormatException">A name that is not a dataset.</exception>
    public Datasets Datasets() => Data.Count == 0 ? DatasetNames.Default : DatasetNames.Parse(Data);

    /// <summary>
    /// Binds one item of <c>Schedules</c>; <c>Data</c> may be a list or one comma-separated string, which the binder
    /// alone would drop (a list bound from a scalar stays empty).
    /// </summary>
    public static ScheduleOptions Bind(IConfigurationSection item, bool strict)
    {
        ArgumentNullException.ThrowIfNull(item);
        var data = item.GetSection(nameof(Data));
        bool IsData(string key) =>
            key.Equals(data.Path, StringComparison.OrdinalIgnoreCase) || key.StartsWith(data.Path + ":", StringComparison.OrdinalIgnoreCase);

        // The binder refuses a scalar for a list when strict: the rest is bound by it (its errors name the full key), Data read here.
        var rest = new ConfigurationBuilder()
            .AddInMemoryCollection(item.AsEnumerable().Where(kv => kv.Value is not null && !IsData(kv.Key)))
            .Build();
        var schedule = new ScheduleOptions();
        rest.GetSection(item.Path).Bind(schedule, o => o.ErrorOnUnknownConfiguration = strict);
        schedule.Data = data.Value is { } names ? [names] : [.. data.GetChildren().Select(c => c.Value ?? "")];
        return schedule;
    }
}

/// <summary>The configured schedules (the top-level list <c>Schedules</c>).</summary>
public sealed class NightlyOptions
{
    public List<ScheduleOptions> Schedules { get; set; } = [];
}
