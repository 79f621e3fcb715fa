using System.Text.RegularExpressions;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Core.Slicing;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Scheduling.Nightly;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting;

/// <summary>The <c>Schedules</c> list of nightly runs: every message names the schedule and what to change.</summary>
internal static partial class ScheduleCheck
{
    // The sources of jobs not created by a schedule: a schedule of that name could not tell its jobs from them.
    private static readonly string[] Reserved = ["cli", "api", "demo"];

    /// <param name="backfill">The scheduler's settings: the default zone, and the size every job must keep.</param>
    public static IEnumerable<string> Validate(IConfiguration configuration, BackfillOptions backfill)
    {
        var defaultTimeZone = backfill.TimeZone;
        var errors = new List<string>();
        var schedules = new List<(string Key, ScheduleOptions Schedule)>();
        foreach (var item in configuration.GetSection("Schedules").GetChildren())
        {
            // One item at a time: binding the list as a whole drops an item it cannot convert without a word.
            try
            {
                schedules.Add((item.Key, ScheduleOptions.Bind(item, strict: true)));
            }
            catch (InvalidOperationException e)
            {
                // The binder names the key: "Failed to convert configuration value at 'Schedules:0:DaysBack' …".
                errors.Add(e.Message);
            }
        }

        var platforms = PlatformsConfiguration.Names(configuration);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (i, s) in schedules)
        {
            var at = string.IsNullOrWhiteSpace(s.Name) ? $"Schedules:{i}" : $"Schedules:{i} ({s.Name})";
            if (string.IsNullOrWhiteSpace(s.Name) || !Name().IsMatch(s.Name))
            {
                errors.Add($"Schedules:{i}:Name '{s.Name}' must be letters, digits, '.', '_' or '-' (it names the schedule's jobs).");
            }
            else if (Reserved.Contains(s.Name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{at}: the name is reserved for jobs started by hand ({string.Join(", ", Reserved)}); choose another (it becomes the jobs' source).");
            }
            else if (names.TryGetValue(s.Name, out var first))
            {
                errors.Add($"{at}: the name is also used by Schedules:{first}; schedule names must be unique.");
            }
            else
            {
                names[s.Name] = i;
            }

            TimeZoneInfo? zone = null;
            try
            {
                zone = DayClock.Zone(s.TimeZone ?? defaultTimeZone, $"{at}: TimeZone");
            }
            catch (InvalidRangeException e)
            {
                errors.Add(e.Message);
            }

            if (string.IsNullOrWhiteSpace(s.Cron))
            {
                errors.Add($"{at}: Cron is required, a Quartz cron expression such as '0 30 2 * * ?' (02:30 every day).");
            }
            else if (zone is not null)
            {
                try
                {
                    NightlyPlan.Cron(s.Cron, zone);
                }
                catch (FormatException e)
                {
                    errors.Add($"{at}: Cron '{s.Cron}' is not a Quartz cron expression: {e.Message.TrimEnd('.')}. Quartz reads seconds minutes hours day-of-month month day-of-week [year], with '?' in one of the day fields, e.g. '0 30 2 * * ?'.");
                }
            }

            if (!platforms.Any(p => string.Equals(p, s.Platform, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{at}: Platform '{s.Platform}' is not configured under Platforms: (configured: {(platforms.Count == 0 ? "(none)" : string.Join(", ", platforms))}).");
            }

            var shops = s.Shops.Where(shop => !string.IsNullOrWhiteSpace(shop)).Select(shop => shop.Trim()).ToList();
            if (shops.Count == 0)
            {
                errors.Add($"{at}: Shops needs at least one shop id (one job per shop per firing).");
            }
            else if (platforms.FirstOrDefault(p => string.Equals(p, s.Platform, StringComparison.OrdinalIgnoreCase)) is { } platform
                && ConfiguredShops.Unknown(configuration, platform, shops) is { Count: > 0 } unknown)
            {
                errors.Add($"{at}: Shops {string.Join(", ", unknown)} {(unknown.Count == 1 ? "is" : "are")} not configured for platform {platform}; add Platforms:{platform}:Shops:{{id}}:AccessToken or remove it from the schedule.");
            }

            if (s.DaysBack is < 1 or > Slicer.MaxDays)
            {
                errors.Add($"{at}: DaysBack must be between 1 and {Slicer.MaxDays} whole days before the firing's day (got {s.DaysBack}).");
            }
            else if (backfill.SliceDays >= 1 && (s.DaysBack + backfill.SliceDays - 1) / backfill.SliceDays > backfill.MaxSlicesPerJob)
            {
                errors.Add($"{at}: DaysBack {s.DaysBack} makes jobs of more slices than Backfill:MaxSlicesPerJob ({backfill.MaxSlicesPerJob}); lower DaysBack or raise the limit.");
            }

            try
            {
                s.Datasets();
            }
            catch (FormatException e)
            {
                errors.Add($"Schedules:{i}:Data: {e.Message}");
            }

            if (s.TimeField is not null && TimeFields.Problem(s.TimeField) is { } field)
            {
                errors.Add($"Schedules:{i}:TimeField: {field}");
            }

            if (!JobPriorityNames.TryParse(s.Priority, out _))
            {
                errors.Add($"{at}: Priority must be {JobPriorityNames.Expected} (got '{s.Priority}').");
            }

            if (s.ReleaseEvery is { } every && !ReleaseCadence.TryParse(every, out _, out var cadence))
            {
                errors.Add($"{at}: ReleaseEvery: {cadence}.");
            }
        }

        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex Name();
}
