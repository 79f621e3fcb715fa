using Backfill.Messaging.Clients;
using Microsoft.Extensions.Hosting;

namespace Backfill.Hosting;

/// <summary>
/// Fails as soon as a reader of this process ends before its stop (<see cref="KafkaCounters.FirstReaderEnded"/>), so
/// the host stops (its <see cref="BackgroundServiceExceptionBehavior.StopHost"/> default) and the process exits with a
/// failure naming the reader, for its supervisor to restart: a process whose progress, sink or control reader is dead
/// would otherwise look alive while its work stalls.
/// </summary>
internal sealed class ReaderWatch(KafkaCounters counters) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string ended;
        try
        {
            ended = await counters.FirstReaderEnded.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        throw new ReaderEndedException(ended);
    }
}

/// <summary>A reader ended before its process stopped.</summary>
public sealed class ReaderEndedException(string message) : Exception(message);
