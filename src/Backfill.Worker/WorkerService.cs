using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Worker;

/// <summary>Runs <see cref="WorkerOptions.Concurrency"/> worker consumers, each on a thread created once (R7).</summary>
public sealed class WorkerService(
    KafkaClients clients,
    IProducer<string, byte[]> producer,
    IOrderSources sources,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerStats stats,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var runner = new StepRunner(producer, clients.Connection.Topics.Orders, o);
        var handler = new ActionHandler(producer, clients.Connection, sources, runner, new StepLedger(), deadLetters, stats, time, loggers.CreateLogger<ActionHandler>());
        var prefix = $"{Environment.MachineName}-{Environment.ProcessId}";
        var threads = Enumerable.Range(1, o.Concurrency).Select(i =>
        {
            var consumer = new WorkerConsumer($"{prefix}-w{i}", clients, handler, deadLetters, counters, o, time, loggers.CreateLogger<WorkerConsumer>());
            return Task.Factory.StartNew(() => consumer.Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        });
        return Task.WhenAll(threads);
    }
}
