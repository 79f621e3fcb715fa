using System.CommandLine;
using System.Globalization;
using Backfill.Cli.Output;
using Backfill.Platforms;
using Backfill.Server;
using Backfill.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill worker</c>: worker consumers as their own process, any number of them, on any machine.</summary>
internal static class WorkerCommand
{

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var concurrency = CommonOptions.Positive(new Option<int?>("--concurrency") { Description = "Worker consumers in this process (default Worker:Concurrency)." });
        var health = new Option<string?>("--health-url") { Description = "Answer /healthz/live and /healthz/ready here, e.g. http://127.0.0.1:5081 (default Worker:HealthUrl; none: no port opened)." };
        var command = new Command("worker", "Run workers until Ctrl-C: they take released slices from Kafka, page through the platform under its rate limit and emit orders. Start 'backfill serve' once, workers on any number of machines, all with the same Kafka:BootstrapServers and Platforms settings.\n\nExamples:\n  backfill worker --Kafka:BootstrapServers=127.0.0.1:9092\n  backfill worker --concurrency 4 --Kafka:BootstrapServers=127.0.0.1:9092\n  backfill worker --health-url http://127.0.0.1:5081 --Kafka:BootstrapServers=127.0.0.1:9092") { concurrency, health };
        command.SetAction(async (parse, ct) =>
        {
            var extra = new Dictionary<string, string?>();
            if (parse.GetValue(concurrency) is { } n)
            {
                extra["Worker:Concurrency"] = n.ToString(CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(health) is { } url)
            {
                extra["Worker:HealthUrl"] = url;
            }

            var configuration = CliConfiguration.Build(overrides, extra);
            if (string.IsNullOrWhiteSpace(configuration["Kafka:BootstrapServers"]))
            {
                // Empty means an embedded cluster in this process, which no scheduler would ever see.
                throw new UsageException("A worker needs the scheduler's Kafka: set Kafka:BootstrapServers, e.g. --Kafka:BootstrapServers=127.0.0.1:PORT as printed by 'backfill dev-kafka'.");
            }

            using var host = WorkerApp.Build(configuration, logging => ProcessLogging.Configure(logging, configuration));
            await host.StartAsync(ct);
            var options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
            var platforms = host.Services.GetRequiredService<IOrderSources>().Names;
            Console.Out.WriteLine($"worker: started ({options.Concurrency} consumer{(options.Concurrency == 1 ? "" : "s")}; platforms {string.Join(", ", platforms)}; Kafka {configuration["Kafka:BootstrapServers"]})");
            Console.Error.WriteLine("Ctrl-C to stop.");
            await Console.Out.FlushAsync(ct);

            await Lifetime.RunUntilStoppedAsync(host, "worker", "the worker", ct);

            return ExitCodes.Success;
        });
        return command;
    }
}
