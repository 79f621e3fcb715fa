using Backfill.Platforms.Configuration;
using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Platforms;

/// <summary>Wires the platforms of the <c>Platforms</c> configuration section.</summary>
public static class PlatformsServiceCollectionExtensions
{
    // Connections are recycled so DNS changes reach a client that lives as long as the process.
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Binds <c>Platforms:{name}</c> to named <see cref="PlatformOptions"/> (validated on start), registers one
    /// signed HTTP client per platform, the worker's token book <see cref="IShopTokens"/> (version 0 of each shop from
    /// configuration) and <see cref="IOrderSources"/> as singletons.
    /// Needs <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> from the container.
    /// </summary>
    public static IServiceCollection AddPlatforms(this IServiceCollection services, IConfiguration configuration)
    {
        var names = services.AddPlatformClients(configuration);
        services.TryAddSingleton<IShopTokens>(provider => new ShopTokens(
            provider.GetRequiredService<TimeProvider>(),
            names.SelectMany(name => PlatformOptionsOf(provider, name).Shops.Select(s => (name, s.Key, s.Value.AccessToken)))));
        services.TryAddSingleton<IOrderSources>(provider => new OrderSources(names.Select(name =>
        {
            var options = PlatformOptionsOf(provider, name);
            var time = provider.GetRequiredService<TimeProvider>();
            return new PlatformSource(
                name,
                options,
                PlatformKinds.Of(options).Reader(name, options, Client(provider, name), time),
                provider.GetRequiredService<IShopTokens>(),
                time,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<PlatformSource>());
        })));
        return services;
    }

    /// <summary>
    /// The scheduler's <see cref="ITokenRefresh"/>: a signed client per platform for its token refresh, each platform's
    /// refreshes one call per budget window.
    /// </summary>
    public static IServiceCollection AddTokenRefresh(this IServiceCollection services, IConfiguration configuration)
    {
        var names = services.AddPlatformClients(configuration);
        services.TryAddSingleton<ITokenRefresh>(provider => new TokenRefresh(
            names.Select(name =>
            {
                var options = PlatformOptionsOf(provider, name);
                var refresh = PlatformKinds.Of(options).TokenRefresh(name, options, Client(provider, name), provider.GetRequiredService<TimeProvider>());
                return (name, LanePlan.For(options.RateLimit), options.Timeout, refresh);
            }),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<Quotas.IQuotaReserve>()));
        return services;
    }

    /// <summary>The options and one signed HTTP client per platform, registered once however many callers ask.</summary>
    private static IReadOnlyList<string> AddPlatformClients(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(PlatformClientsMarker)))
        {
            return PlatformsConfiguration.Names(configuration);
        }

        var names = services.AddPlatformOptions(configuration);
        services.AddSingleton<PlatformClientsMarker>();
        foreach (var name in names)
        {
            // One per platform, over the handlers the factory renews: the calls learn of every connection opened for them.
            services.AddKeyedSingleton(name, (provider, _) => new Resilience.ConnectionWatch(
                PlatformOptionsOf(provider, name).Timeout, provider.GetRequiredService<TimeProvider>()));
            services.AddHttpClient(HttpClientName(name))
                .ConfigureHttpClient((provider, client) =>
                {
                    client.BaseAddress = PlatformOptionsOf(provider, name).BaseUrl;

                    // The pipeline's per-attempt timeout governs; HttpClient's own would cut across retries.
                    client.Timeout = Timeout.InfiniteTimeSpan;
                })
                .ConfigurePrimaryHttpMessageHandler(provider => Connections(provider, name).Handler(PooledConnectionLifetime))
                .AddHttpMessageHandler(provider =>
                {
                    var options = PlatformOptionsOf(provider, name);
                    return PlatformKinds.Of(options).Signer(options, provider.GetRequiredService<TimeProvider>());
                })

                // Innermost: the last moment before the request goes to the connection, where the call learns it left.
                .AddHttpMessageHandler(provider => new Resilience.DepartureHandler(name, Connections(provider, name)))

                // The default HttpClient loggers write the request URI, whose query holds the token and the signature.
                .RemoveAllLoggers();
        }

        return names;
    }

    /// <summary>
    /// Binds <c>Platforms:{name}</c> to named <see cref="PlatformOptions"/>, validated on start, without any client: what
    /// the scheduler needs to plan lanes. Returns the platform names.
    /// </summary>
    public static IReadOnlyList<string> AddPlatformOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(PlatformsConfiguration.SectionName);
        var names = PlatformsConfiguration.Names(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlatformOptions>, PlatformOptionsValidation>());
        var refreshes = PlatformsConfiguration.RefreshesTokens(configuration);
        foreach (var name in names)
        {
            services.AddOptions<PlatformOptions>(name).Bind(section.GetSection(name))
                .PostConfigure(o => o.RateLimit.ReserveTokenCall(refreshes))
                .ValidateOnStart();
        }

        return names;
    }

    internal static string HttpClientName(string platform) => $"Backfill.Platforms.{platform}";

    private static HttpClient Client(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName(name));

    private static Resilience.ConnectionWatch Connections(IServiceProvider provider, string name) =>
        provider.GetRequiredKeyedService<Resilience.ConnectionWatch>(name);

    private static PlatformOptions PlatformOptionsOf(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<PlatformOptions>>().Get(name);

    /// <summary>Says the platforms' clients are registered already (workers and the scheduler share them in one process).</summary>
    private sealed class PlatformClientsMarker;
}
