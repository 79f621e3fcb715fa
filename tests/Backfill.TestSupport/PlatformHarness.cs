using Backfill.Core.Data;
using System.Globalization;
using Backfill.Platforms;
using Backfill.Simulators;
using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backfill.Testing;

/// <summary>A platform "demo" wired through AddPlatforms exactly as a host would, pointed at a simulator.</summary>
internal sealed class PlatformHarness : IDisposable
{
    public const string Platform = "demo";
    public const string ShopId = "10001";
    public const string OtherShopId = "10002";
    public const string Token = "token-10001-secret";
    public const string PartnerKey = "partner-key-secret";
    public const long PartnerId = 2_001_887;

    private readonly ServiceProvider _provider;

    private PlatformHarness(ServiceProvider provider) => _provider = provider;

    public IOrderSources Sources => _provider.GetRequiredService<IOrderSources>();

    public IOrderSource Source => Sources.Get(Platform);

    public PlatformCallStats Stats => Sources.Stats(Platform);

    /// <summary>The worker's token book the sources sign with.</summary>
    public IShopTokens Tokens => _provider.GetRequiredService<IShopTokens>();

    /// <summary>The scheduler's token refresh, on the same clients.</summary>
    public ITokenRefresh Refresh => _provider.GetRequiredService<ITokenRefresh>();

    public static SimulatorOptions SimulatorOptions(double permitsPerSecond = 0) => new()
    {
        PartnerId = PartnerId,
        PartnerKey = PartnerKey,
        AccessTokens = { [ShopId] = Token, [OtherShopId] = "token-10002-secret" },
        PermitsPerSecond = permitsPerSecond,
    };

    public static Dictionary<string, string?> Configuration(Uri baseUrl) => new()
    {
        [$"Platforms:{Platform}:Kind"] = "shopee",
        [$"Platforms:{Platform}:BaseUrl"] = baseUrl.ToString(),
        [$"Platforms:{Platform}:PartnerId"] = PartnerId.ToString(CultureInfo.InvariantCulture),
        [$"Platforms:{Platform}:PartnerKey"] = PartnerKey,
        [$"Platforms:{Platform}:Shops:{ShopId}:AccessToken"] = Token,
        [$"Platforms:{Platform}:Shops:{OtherShopId}:AccessToken"] = "token-10002-secret",
        [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = "1000",
        [$"Platforms:{Platform}:Retry:BaseDelay"] = "00:00:00.005",
        [$"Platforms:{Platform}:Retry:MaxDelay"] = "00:00:00.020",
    };

    public static PlatformHarness Create(
        PlatformSimulator simulator, Action<Dictionary<string, string?>>? configure = null, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var values = Configuration(simulator.BaseUrl);
        configure?.Invoke(values);
        return Create(values, logs, services);
    }

    /// <summary>A harness over exactly <paramref name="values"/> (a platform of another kind, its simulator started by the caller).</summary>
    /// <param name="services">Changes to the services after the platforms' (a handler added to a platform's client).</param>
    public static PlatformHarness Create(Dictionary<string, string?> values, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection()
            .AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            })
            .AddSingleton(TimeProvider.System)
            .AddPlatforms(configuration)
            .AddTokenRefresh(configuration);
        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new PlatformHarness(provider);
    }

    public static string Key(string path) => $"Platforms:{Platform}:{path}";

    /// <summary>The first page of a slice of orders.</summary>
    public static readonly SliceCursor OrdersFirstPage = SliceCursor.Start(Datasets.Orders);

    /// <summary>Pages through a phase of a slice until the platform says there is no more; the calls by dataset summed.</summary>
    public async Task<(List<PlatformRecord> Records, Dictionary<Datasets, int> Calls)> FetchPhaseAsync(PageRequest first)
    {
        var records = new List<PlatformRecord>();
        var calls = new Dictionary<Datasets, int>();
        var request = first;
        for (var page = 0; page < 100; page++)
        {
            var result = await Source.FetchAsync(request, CancellationToken.None);
            records.AddRange(result.Records);
            foreach (var (dataset, count) in result.CallsByData)
            {
                calls[dataset] = calls.GetValueOrDefault(dataset) + count;
            }

            if (!result.More)
            {
                return (records, calls);
            }

            request = request with { Cursor = request.Cursor with { Page = result.NextPage } };
        }

        throw new InvalidOperationException("The phase did not end within 100 pages.");
    }

    /// <summary>Pages through a slice of orders until the platform says there is no more.</summary>
    public async Task<List<PlatformRecord>> FetchAllAsync(string shopId, DateTimeOffset from, DateTimeOffset to) =>
        (await FetchPhaseAsync(new PageRequest(shopId, from, to, OrdersFirstPage))).Records;

    public void Dispose() => _provider.Dispose();
}
