using System.Text.RegularExpressions;
using Backfill.Core.Secrets;
using Backfill.Core.Slicing;
using Backfill.Messaging;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Retention;
using Backfill.Worker;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting;

/// <summary>Validates the whole configuration at start; every message names its key (bad config never starts).</summary>
public static partial class ConfigurationCheck
{
    /// <summary>A shorter bearer token could be guessed.</summary>
    public const int MinApiTokenLength = 16;

    /// <summary>The highest <c>Backfill:MaxSlicesPerJob</c>: ten times the default, a job that takes minutes to plan and hours to release.</summary>
    public const int MaxSlicesPerJob = 2_000_000;

    /// <summary>The longest a call waits for a newer token: a refresh that takes longer is failing, and the slice should say so.</summary>
    public static readonly TimeSpan MaxTokenWait = TimeSpan.FromHours(1);

    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var errors = new List<string>();
        var kafka = Bind<KafkaOptions>(configuration, "Kafka", errors);
        var backfill = Bind<BackfillOptions>(configuration, "Backfill", errors);
        var worker = Bind<WorkerOptions>(configuration, "Worker", errors);
        if (kafka is not null)
        {
            if (!TopicName().IsMatch(kafka.Namespace))
            {
                errors.Add($"Kafka:Namespace '{kafka.Namespace}' must be letters, digits, '.', '_' or '-' (it prefixes topic names).");
            }

            foreach (var (name, count) in new[] { ("Actions", kafka.Partitions.Actions), ("Orders", kafka.Partitions.Orders), ("Progress", kafka.Partitions.Progress), ("DeadLetters", kafka.Partitions.DeadLetters), ("Control", kafka.Partitions.Control) })
            {
                Check(errors, count is >= 1 and <= 1000, $"Kafka:Partitions:{name} must be between 1 and 1000 (got {count}).");
            }

            Check(errors, kafka.EmbeddedBrokers is >= 1 and <= 9, $"Kafka:EmbeddedBrokers must be between 1 and 9 (got {kafka.EmbeddedBrokers}).");
            Check(errors, kafka.GroupProtocol is "classic" or "consumer", $"Kafka:GroupProtocol must be 'classic' or 'consumer' (got '{kafka.GroupProtocol}').");
            Check(errors, kafka.MaxPollInterval >= TimeSpan.FromSeconds(1), "Kafka:MaxPollInterval must be at least 00:00:01.");
            Check(errors, kafka.HeartbeatInterval > TimeSpan.Zero && kafka.HeartbeatInterval < kafka.SessionTimeout, $"Kafka:HeartbeatInterval must be positive and shorter than Kafka:SessionTimeout (got {kafka.HeartbeatInterval} and {kafka.SessionTimeout}).");
        }

        if (backfill is not null)
        {
            try
            {
                DayClock.Zone(backfill.TimeZone);
            }
            catch (InvalidRangeException e)
            {
                errors.Add(e.Message);
            }

            Check(errors, backfill.SliceDays is >= 1 and <= 15, $"Backfill:SliceDays must be between 1 and 15 (the platform lists at most 15 days per call; got {backfill.SliceDays}).");
            if (!Core.Release.ReleaseCadence.TryParse(backfill.ReleaseEvery, out _, out var cadence))
            {
                errors.Add($"Backfill:ReleaseEvery: {cadence}.");
            }

            Check(errors, backfill.AutoRetry.Attempts is >= 0 and <= 100, $"Backfill:AutoRetry:Attempts must be between 0 and 100 (got {backfill.AutoRetry.Attempts}).");
            Check(errors, backfill.AutoRetry.After >= TimeSpan.FromSeconds(1) && backfill.AutoRetry.After <= TimeSpan.FromDays(7), $"Backfill:AutoRetry:After must be between 00:00:01 and 7.00:00:00 (got {backfill.AutoRetry.After}).");
            Check(errors, backfill.SlicesPerRelease >= 1, $"Backfill:SlicesPerRelease must be at least 1 (got {backfill.SlicesPerRelease}).");
            Check(errors, backfill.MaxInFlightPerPlatform >= 1, $"Backfill:MaxInFlightPerPlatform must be at least 1 (got {backfill.MaxInFlightPerPlatform}).");
            Check(errors, backfill.MaxSlicesPerJob is >= 1 and <= MaxSlicesPerJob, $"Backfill:MaxSlicesPerJob must be between 1 and {MaxSlicesPerJob.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} (got {backfill.MaxSlicesPerJob}); larger work is split into several jobs.");
            Check(errors, !string.IsNullOrWhiteSpace(backfill.DataDirectory), "Backfill:DataDirectory is required.");
            if (RetentionPolicy.Invalid(backfill.KeepFinishedJobs) is { } retention)
            {
                errors.Add(retention);
            }

            Check(errors, Uri.TryCreate(backfill.ServerUrl, UriKind.Absolute, out _), $"Backfill:ServerUrl '{backfill.ServerUrl}' is not an absolute URL.");

            // What is wrong with it only: the key is a secret and never goes into a message.
            if (!string.IsNullOrEmpty(backfill.SecretKey) && SecretBox.Problem(backfill.SecretKey) is { } keyProblem)
            {
                errors.Add($"{SecretBox.ConfigurationKey} is not usable: {keyProblem}.");
            }

            // The length only: the token is a secret and never goes into a message.
            Check(errors, string.IsNullOrEmpty(backfill.ApiToken) || backfill.ApiToken.Length >= MinApiTokenLength, $"Backfill:ApiToken must be at least {MinApiTokenLength} characters (got {backfill.ApiToken?.Length}); use a long random one, e.g. from 'openssl rand -hex 24'.");
            if (string.IsNullOrEmpty(backfill.SecretKey))
            {
                // A refresh token alone buys nothing without the key that lets the scheduler store and hand out what it buys.
                foreach (var shop in configuration.GetSection("Platforms").GetChildren().SelectMany(p => p.GetSection("Shops").GetChildren()
                    .Where(s => string.IsNullOrWhiteSpace(s["AccessToken"]) && !string.IsNullOrWhiteSpace(s["RefreshToken"]))))
                {
                    errors.Add($"{shop.Path} has a RefreshToken but no AccessToken: set Backfill:SecretKey (32 random bytes, base64, e.g. from 'openssl rand -base64 32'; the same on every process) so the scheduler can buy its access tokens, or give its AccessToken.");
                }
            }
        }

        errors.AddRange(ScheduleCheck.Validate(configuration, backfill ?? new BackfillOptions()));
        errors.AddRange(NotificationsCheck.Validate(configuration));

        if (backfill is not null && worker is not null)
        {
            Check(errors, backfill.StuckAfter > TimeSpan.Zero, $"Backfill:StuckAfter must be positive (got {backfill.StuckAfter}).");
            foreach (var platform in configuration.GetSection("Platforms").GetChildren())
            {
                PlatformOptions options;
                try
                {
                    options = PlatformsConfiguration.Bind(platform);
                }
                catch (InvalidOperationException)
                {
                    continue; // said by the platform checks below
                }

                var refreshes = PlatformsConfiguration.RefreshesTokens(configuration);
                var longest = StuckRule.LongestStep(options, worker.PagesPerStep, worker.ThrottleRetries, refreshes ? worker.TokenWait : TimeSpan.Zero);
                var bounds = refreshes ? "throttle pauses, a breaker CoolOff and a Worker:TokenWait" : "throttle pauses and a breaker CoolOff";
                Check(errors, backfill.StuckAfter > longest, $"Backfill:StuckAfter ({backfill.StuckAfter:c}) must be larger than the longest step of platform {platform.Key} ({longest:c}: Worker:PagesPerStep pages, each call's Platforms:{platform.Key}:Timeout on every Retry:MaxAttempts, {bounds}); a slice would be released again while its step still runs.");
            }
        }

        if (worker is not null)
        {
            Check(errors, worker.Concurrency is >= 1 and <= 64, $"Worker:Concurrency must be between 1 and 64 (got {worker.Concurrency}).");
            Check(errors, string.IsNullOrWhiteSpace(worker.HealthUrl) || (Uri.TryCreate(worker.HealthUrl, UriKind.Absolute, out var health) && health.Scheme == Uri.UriSchemeHttp && health.AbsolutePath == "/"), $"Worker:HealthUrl '{worker.HealthUrl}' is not a URL to listen on; use http://HOST:PORT, e.g. http://127.0.0.1:5081.");
            Check(errors, worker.StepsPerPartition is >= 1 and <= 64, $"Worker:StepsPerPartition must be between 1 and 64 (got {worker.StepsPerPartition}).");
            Check(errors, worker.PagesPerStep is >= 1 and <= 100, $"Worker:PagesPerStep must be between 1 and 100 (got {worker.PagesPerStep}).");
            Check(errors, worker.ThrottleRetries >= 0, "Worker:ThrottleRetries must not be negative.");
            Check(errors, worker.InfrastructureRetries >= 0, "Worker:InfrastructureRetries must not be negative.");
            Check(errors, worker.InfrastructureBackoff >= TimeSpan.Zero, $"Worker:InfrastructureBackoff must not be negative (got {worker.InfrastructureBackoff}).");
            Check(errors, worker.TokenWait > TimeSpan.Zero && worker.TokenWait <= MaxTokenWait, $"Worker:TokenWait must be positive and at most {MaxTokenWait:c} (got {worker.TokenWait}).");
        }

        try
        {
            errors.AddRange(PlatformsConfiguration.Validate(configuration));
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.Message);
        }

        return errors;
    }

    private static T? Bind<T>(IConfiguration configuration, string section, List<string> errors)
        where T : class, new()
    {
        try
        {
            var options = new T();
            configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            return options;
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key: "Failed to convert configuration value at 'Backfill:ReleaseEvery' …".
            errors.Add(e.Message);
            return null;
        }
    }

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex TopicName();
}
