using Backfill.Messaging;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Worker;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// <c>backfill doctor</c>: checks a configuration against the world it describes, from any machine and without
/// <c>serve</c>: the configuration itself, the LiteDB file's size and free disk, Kafka, its topics and groups, partitions
/// against lanes and workers (R9), a signed call per platform, and the shops of the running scheduler's registry (asked
/// over its API when it answers). Each check is one row; nothing is written anywhere.
/// </summary>
public static class Doctor
{
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(IConfiguration configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = ConfigurationCheck.Validate(configuration);
        var checks = new List<DoctorCheck>
        {
            errors.Count == 0
                ? DoctorCheck.Ok("configuration", "valid: every key is known and in range.")
                : DoctorCheck.Fail("configuration", $"{errors.Count} problem(s): {string.Join(" ", errors)}"),
        };

        var kafka = Bind<KafkaOptions>(configuration, "Kafka");
        var backfill = Bind<BackfillOptions>(configuration, "Backfill");
        var worker = Bind<WorkerOptions>(configuration, "Worker");
        if (backfill is not null)
        {
            checks.Add(StorageDoctor.Run(backfill.DatabasePath));
        }

        if (kafka is null || backfill is null || worker is null)
        {
            checks.Add(DoctorCheck.Fail("kafka", "not checked: the Kafka, Backfill or Worker section cannot be read (see the configuration row)."));
        }
        else
        {
            checks.AddRange(await KafkaDoctor.CheckAsync(kafka, backfill, worker.Concurrency, Lanes(configuration), time));
        }

        checks.AddRange(await PlatformDoctor.CheckAsync(configuration, time, cancellationToken));
        if (backfill is not null)
        {
            checks.AddRange(await ShopsDoctor.CheckAsync(configuration, backfill, cancellationToken));
        }

        return checks;
    }

    /// <summary>Each platform's budget lanes, for those whose rate limit can be read.</summary>
    private static List<(string Platform, int Lanes)> Lanes(IConfiguration configuration)
    {
        var lanes = new List<(string, int)>();
        foreach (var section in configuration.GetSection(PlatformsConfiguration.SectionName).GetChildren())
        {
            try
            {
                lanes.Add((section.Key, LanePlan.For(PlatformsConfiguration.Bind(configuration, section).RateLimit).Lanes));
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // The configuration row names what is wrong with it.
            }
        }

        return lanes;
    }

    private static T? Bind<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        try
        {
            var options = new T();
            configuration.GetSection(section).Bind(options);
            return options;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
