using Backfill.Platforms.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Scheduling.Nightly;

/// <summary>Wires the <c>Schedules</c> list into the scheduler process.</summary>
public static class NightlyServiceCollectionExtensions
{
    /// <summary>Binds <c>Schedules</c> (checked by the configuration check) and runs them from start.</summary>
    public static IServiceCollection AddNightlyRuns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NightlyOptions>().Configure(o =>
        {
            o.Schedules = [.. configuration.GetSection("Schedules").GetChildren().Select(item => ScheduleOptions.Bind(item, strict: false))];

            // Platform names are case-insensitive in configuration but not in named options: keep the configured spelling.
            var platforms = PlatformsConfiguration.Names(configuration);
            foreach (var schedule in o.Schedules)
            {
                schedule.Platform = platforms.FirstOrDefault(p => string.Equals(p, schedule.Platform, StringComparison.OrdinalIgnoreCase)) ?? schedule.Platform;
            }
        });
        services.AddSingleton<NightlyRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<NightlyRuns>());
        return services;
    }
}
