using Backfill.Platforms.Configuration;
using Backfill.Platforms.Shopee;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace Backfill.Platforms;

/// <summary>Wires the platforms of the <c>Platforms</c> configuration section.</summary>
public static class PlatformsServiceCollectionExtensions
{
    // Connections are recycled so DNS changes reach a client that lives as long as the process.
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Binds <c>Platforms:{name}</c> to named <see cref="PlatformOptions"/> (validated on start), registers one
    /// signed Refit client per platform and <see cref="IOrderSources"/> as a singleton.
    /// Needs <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> from the container.
    /// </summary>
    public static IServiceCollection AddPlatforms(this IServiceCollection services, IConfiguration configuration)
    {
        var names = services.AddPlatformOptions(configuration);
        foreach (var name in names)
        {
            services.AddKeyedRefitGeneratedClient<IShopeeApi>(name, settings: null, httpClientName: HttpClientName(name))
                .ConfigureHttpClient((provider, client) =>
                {
                    client.BaseAddress = PlatformOptionsOf(provider, name).BaseUrl;

                    // The pipeline's per-attempt timeout governs; HttpClient's own would cut across retries.
                    client.Timeout = Timeout.InfiniteTimeSpan;
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = PooledConnectionLifetime })
                .AddHttpMessageHandler(provider =>
                {
                    var options = PlatformOptionsOf(provider, name);
                    return new ShopeeSigningHandler(options.PartnerId, options.PartnerKey, provider.GetRequiredService<TimeProvider>());
                })

                // The default HttpClient loggers write the request URI, whose query holds the token and the signature.
                .RemoveAllLoggers();
        }

        services.TryAddSingleton<IOrderSources>(provider => new OrderSources(names.Select(name => new ShopeeOrderSource(
            name,
            PlatformOptionsOf(provider, name),
            provider.GetRequiredKeyedService<IShopeeApi>(name),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<ShopeeOrderSource>()))));
        return services;
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
        foreach (var name in names)
        {
            services.AddOptions<PlatformOptions>(name).Bind(section.GetSection(name)).ValidateOnStart();
        }

        return names;
    }

    internal static string HttpClientName(string platform) => $"Backfill.Platforms.{platform}";

    private static PlatformOptions PlatformOptionsOf(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<PlatformOptions>>().Get(name);
}
