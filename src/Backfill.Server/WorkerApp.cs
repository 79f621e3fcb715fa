using Backfill.Hosting;
using Backfill.Server.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Server;

/// <summary>
/// A worker process (<see cref="BackfillRoles.Worker"/>): consumers of released slices, meeting the scheduler only through
/// Kafka. With <c>Worker:HealthUrl</c> set it also answers <c>/healthz/live</c> and <c>/healthz/ready</c> there (Kafka
/// reachable, every reader alive) and nothing else; without it, it opens no port.
/// </summary>
public static class WorkerApp
{
    /// <summary>Builds the worker, not started.</summary>
    /// <param name="configuration">Validated configuration (see <see cref="ConfigurationCheck"/>); nothing else is read.</param>
    /// <param name="logging">Log providers and filters; none when null.</param>
    /// <exception cref="ArgumentException"><c>Worker:HealthUrl</c> is not an absolute <c>http://</c> URL.</exception>
    public static IHost Build(IConfiguration configuration, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var health = configuration["Worker:HealthUrl"];
        if (string.IsNullOrWhiteSpace(health))
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            Configure(builder.Configuration, builder.Services, builder.Logging, configuration, logging);
            return builder.Build();
        }

        var listen = ServerUrls.Parse(health);
        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        web.WebHost.UseKestrelCore().UseUrls([.. listen.Select(u => u.GetLeftPart(UriPartial.Authority))]);
        web.Services.AddRoutingCore();
        Configure(web.Configuration, web.Services, web.Logging, configuration, logging);
        web.Services.AddBackfillHealth(BackfillRoles.Worker);
        var app = web.Build();
        app.UseRouting();
        app.MapBackfillHealth();
        return app;
    }

    private static void Configure(IConfigurationManager target, IServiceCollection services, ILoggingBuilder logs, IConfiguration configuration, Action<ILoggingBuilder>? logging)
    {
        target.AddConfiguration(configuration);
        logging?.Invoke(logs);
        services.AddBackfill(target, BackfillRoles.Worker);
    }
}
