using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Messaging.Clients;
using Backfill.Scheduling;
using Backfill.Server;
using Backfill.Server.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill serve</c>: the scheduler with its HTTP API, as its own process; workers run elsewhere.</summary>
internal static class ServeCommand
{

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen, http://HOST:PORT (default Backfill:ServerUrl, http://127.0.0.1:5080); several separated by ';'." };
        var command = new Command("serve", "Run the scheduler (jobs in LiteDB, gradual release, progress, order sink) and its HTTP API until Ctrl-C. Workers run as 'backfill worker', on this machine or others, against the same Kafka.\nAPI: POST /api/jobs, GET /api/jobs, GET /api/jobs/{id}, GET /api/jobs/{id}/slices, POST /api/jobs/{id}/pause|resume|cancel|retry|settings, GET|POST /api/platforms/{name}/shops, POST /api/platforms/{name}/shops/{shop}/enable|disable|remove, GET /healthz/live|ready. Changes need 'Authorization: Bearer <Backfill:ApiToken>'; without a token they are accepted only while serve listens on loopback alone.\n\nExamples:\n  backfill serve --Kafka:BootstrapServers=127.0.0.1:9092\n  backfill serve --urls http://127.0.0.1:5080 --Kafka:BootstrapServers=127.0.0.1:9092") { urls };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            var listen = parse.GetValue(urls);
            try
            {
                ServerUrls.Parse(listen ?? configuration["Backfill:ServerUrl"] ?? new BackfillOptions().ServerUrl);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{(listen is null ? "Backfill:ServerUrl" : "--urls")}: {e.Message}");
            }

            await using var app = ServerApp.Build(configuration, listen, logging => ProcessLogging.Configure(logging, configuration));
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                // Kestrel's own words name the address: "Failed to bind to address http://…: address already in use."
                throw new OperationFailedException($"{e.Message.TrimEnd('.')} (another 'backfill serve'? choose another with --urls)");
            }

            foreach (var url in app.Urls)
            {
                Console.Out.WriteLine($"listening: {url}");
            }

            Console.Error.WriteLine(!string.IsNullOrEmpty(configuration["Backfill:ApiToken"])
                ? "API: changes need the bearer token (Backfill:ApiToken)."
                : ListenAddresses.AreLoopbackOnly(app.Urls)
                    ? "API: no Backfill:ApiToken; changes are accepted from this machine only (loopback)."
                    : "API: no Backfill:ApiToken while listening beyond loopback: every change is refused until one is set.");
            var kafka = app.Services.GetRequiredService<KafkaConnection>();
            Console.Error.WriteLine(kafka.IsEmbedded
                ? $"Kafka: embedded mock cluster at {kafka.BootstrapServers}, owned by this process (workers join with --Kafka:BootstrapServers={kafka.BootstrapServers}; 'backfill dev-kafka' outlives it). Ctrl-C to stop."
                : $"Kafka: {kafka.BootstrapServers} (namespace {kafka.Options.Namespace}). Ctrl-C to stop.");
            await Console.Out.FlushAsync(ct);

            await Lifetime.RunUntilStoppedAsync(app, "serve", "the scheduler", ct);

            return ExitCodes.Success;
        });
        return command;
    }
}
