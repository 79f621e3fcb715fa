using Microsoft.Extensions.Logging;

namespace Backfill.Messaging.Clients;

/// <summary>
/// Runs a reader's loop (a <see cref="BatchConsumer"/>, a worker's consumer) so that its end never goes unnoticed: a
/// loop that throws, or returns before its stop, is logged as critical and recorded in
/// <see cref="KafkaCounters.EndedReaders"/>, which stops the process (<c>ReaderWatch</c>) and turns the scheduler's
/// <c>/healthz/ready</c> to 503. Without it, a dead reader's task ended in a <c>Task.WhenAll</c> that waited on the others,
/// and the process looked alive while its work stalled.
/// </summary>
public static partial class ReaderGuard
{
    /// <param name="reader">What it reads, as the log and <c>/healthz/ready</c> name it.</param>
    public static void Run(KafkaCounters counters, ILogger logger, string reader, Action loop, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(loop);
        try
        {
            loop();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            Ended(counters, logger, reader, $"{e.GetType().Name}: {e.Message}");
            throw;
        }

        if (!stop.IsCancellationRequested)
        {
            Ended(counters, logger, reader, "it returned before its stop");
        }
    }

    private static void Ended(KafkaCounters counters, ILogger logger, string reader, string reason)
    {
        Log.ReaderEnded(logger, reader, reason);
        counters.ReaderEnded(reader, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Critical, "Reader of {Reader} ENDED: {Reason}. Nothing more is read by it; this process stops so that it is restarted and reads on from its last commit")]
        public static partial void ReaderEnded(ILogger logger, string reader, string reason);
    }
}
