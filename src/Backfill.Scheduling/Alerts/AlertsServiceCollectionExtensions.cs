using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling.Alerts;

/// <summary>Wires <c>Notifications</c> into the scheduler process.</summary>
public static class AlertsServiceCollectionExtensions
{
    /// <summary>The HTTP client of webhooks: no redirects (a POST would become a GET), the attempt's own time limit, no request logged.</summary>
    public const string HttpClientName = "Backfill.Alerts";

    /// <summary>
    /// Binds <c>Notifications</c> (checked by the configuration check), makes its targets and the <see cref="AlertHub"/>
    /// that the scheduler's parts raise alerts on. Registered before the scheduler's services, the hub stops after them,
    /// so what they raise while stopping still goes out.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Notifications"));
        // The factory's own loggers write each request's URL, whose path or query may hold the webhook's token.
        services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).ConfigurePrimaryHttpMessageHandler(AlertTargets.Handler).RemoveAllLoggers();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IReadOnlyList<IAlertTarget>>(sp => AlertTargets.From(
            sp.GetRequiredService<IOptions<NotificationOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AlertHub>(sp, sp.GetRequiredService<IReadOnlyList<IAlertTarget>>()));
        services.TryAddSingleton<IAlerts>(sp => sp.GetRequiredService<AlertHub>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertHub>());
        return services;
    }
}

/// <summary>The configured targets, in configuration order: the webhooks, then the mail.</summary>
public static class AlertTargets
{
    public static IReadOnlyList<IAlertTarget> From(NotificationOptions options, HttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var targets = new List<IAlertTarget>();
        targets.AddRange(options.Webhooks.Select((w, i) => new WebhookTarget(i, w, http, options.Timeout, time)));
        if (options.Email is { } email)
        {
            targets.Add(new EmailTarget(email, options.Timeout, time));
        }

        return targets;
    }

    /// <summary>The handler webhooks go through: no redirects, no time limit but each attempt's.</summary>
    public static HttpMessageHandler Handler() => new SocketsHttpHandler { AllowAutoRedirect = false };
}
