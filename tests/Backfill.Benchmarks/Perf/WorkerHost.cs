using Backfill.Hosting;
using Backfill.Platforms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// The product's worker role in this process, wired by <see cref="ServiceCollectionExtensions.AddBackfill"/> as
/// <c>backfill worker</c> wires it, against an instant platform (<see cref="InstantOrderSources"/>). No log output: a
/// console logger would measure the terminal.
/// </summary>
internal static class WorkerHost
{
    public static IHost Build(string bootstrap, string ns, int ordersPerAction, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:Namespace"] = ns,
            ["Kafka:GroupProtocol"] = "consumer",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // Registered first: AddPlatforms adds the configured adapters only where no IOrderSources is registered.
        builder.Services.AddSingleton<IOrderSources>(new InstantOrderSources(ActionFeed.Platform, ordersPerAction));
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Worker);
        // BACKFILL_PERF_LOG=1: the worker's own log on stderr, to see where a slow run spends its time.
        if (Environment.GetEnvironmentVariable("BACKFILL_PERF_LOG") is { Length: > 0 })
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(LogLevel.Debug).AddFilter("Backfill.Kafka", LogLevel.Information);
        }
        return builder.Build();
    }
}
