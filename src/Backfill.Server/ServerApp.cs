using Backfill.Hosting;
using Backfill.Server.Dashboard;
using Backfill.Server.Health;
using Backfill.Server.Api;
using Backfill.Server.Auth;
using Backfill.Server.Jobs;
using Backfill.Server.Metrics;
using Backfill.Server.Platforms;
using Backfill.Server.Shops;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using BackfillOptions = Backfill.Scheduling.BackfillOptions;

namespace Backfill.Server;

/// <summary>
/// The scheduler process: LiteDB, release triggers, progress and order sink (<see cref="BackfillRoles.Scheduler"/>)
/// behind a small HTTP API. Workers run elsewhere and meet it only through Kafka.
/// </summary>
public static class ServerApp
{
    private const long MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Builds the server, not started. It listens on <paramref name="urls"/>, else <c>Backfill:ServerUrl</c>
    /// (default <c>http://127.0.0.1:5080</c>), and nowhere else.
    /// </summary>
    /// <param name="configuration">Validated configuration (see <see cref="ConfigurationCheck"/>); nothing else is read.</param>
    /// <param name="urls">Overrides <c>Backfill:ServerUrl</c>; several separated by <c>;</c>. Port 0 takes a free port (see <see cref="WebApplication.Urls"/> once started).</param>
    /// <param name="logging">Log providers and filters; none when null.</param>
    /// <param name="services">Extra or replacement services (tests: a <see cref="TimeProvider"/>).</param>
    /// <exception cref="ArgumentException">A URL that is not an absolute <c>http://</c> URL.</exception>
    public static WebApplication Build(IConfiguration configuration, string? urls = null, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var listen = ServerUrls.Parse(urls ?? configuration.GetSection("Backfill").Get<BackfillOptions>()?.ServerUrl ?? new BackfillOptions().ServerUrl);

        // The empty builder reads no appsettings.json, environment or Kestrel section, and never turns on the
        // developer exception page: what it listens on and shows is what is configured here, nothing else.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.WebHost.UseUrls([.. listen.Select(u => u.GetLeftPart(UriPartial.Authority))]);
        builder.Services.AddRoutingCore();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(OpenApiDescription.Describe);
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        logging?.Invoke(builder.Logging);
        services?.Invoke(builder.Services);
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Scheduler);
        builder.Services.AddSingleton<JobEstimator>();
        builder.Services.AddBackfillHealth(BackfillRoles.Scheduler);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Unexpected failures answer a bare 500 problem; the exception goes to the log, never to the client.
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseMiddleware<CrossSiteGate>();
        app.UseMiddleware<ApiTokenGate>();
        app.UseRouting();
        app.MapBackfillHealth();
        app.MapOpenApi();
        app.MapJobsApi();
        app.MapPlatformsApi();
        app.MapShopsApi();
        app.MapMetrics();
        app.MapDashboard();
        app.MapJobControlApi();
        return app;
    }
}
