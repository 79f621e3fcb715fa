using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// One target's queue and its one reader: alerts wait in a bounded channel, which never makes the scheduler wait — when
/// it is full the oldest alert is dropped with a warning — and are delivered one after the other, each retried with
/// <see cref="DeliveryBackoff"/> while its failures may pass. Targets have their own outboxes, so a dead webhook delays
/// no mail.
/// </summary>
public sealed partial class AlertOutbox
{
    private readonly Channel<Alert> _queue;
    private readonly IAlertTarget _target;
    private readonly DeliveryRetryOptions _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _delivered;
    private long _failed;
    private long _dropped;

    internal AlertOutbox(IAlertTarget target, NotificationOptions options, TimeProvider time, ILogger logger)
    {
        (_target, _retry, _time, _logger) = (target, options.Retry, time, logger);
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(Math.Max(1, options.QueueCapacity)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                Log.Dropped(_logger, dropped.Event, dropped.Key, _target.Name, options.QueueCapacity);
            });
    }

    internal IAlertTarget Target => _target;

    internal long Delivered => Interlocked.Read(ref _delivered);

    internal long Failed => Interlocked.Read(ref _failed);

    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the alert; never waits.</summary>
    internal void Offer(Alert alert) => _queue.Writer.TryWrite(alert);

    /// <summary>No more alerts: the reader ends once the queue is empty.</summary>
    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Delivers queued alerts until <see cref="Complete"/> and an empty queue, or <paramref name="abort"/>.</summary>
    internal async Task RunAsync(CancellationToken abort)
    {
        try
        {
            await foreach (var alert in _queue.Reader.ReadAllAsync(abort))
            {
                var outcome = await DeliverAsync(_target, alert, _retry, _time, (attempt, failed, wait) => Log.Retrying(_logger, alert.Event, _target.Name, attempt, failed.Reason ?? "", wait), abort);
                if (outcome.Delivered)
                {
                    Interlocked.Increment(ref _delivered);
                    Log.Delivered(_logger, alert.Event, alert.Key, _target.Name);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                    Log.NotDelivered(_logger, alert.Event, alert.Key, _target.Name, outcome.Transient ? $"gave up after {_retry.MaxAttempts} attempts" : "refused", outcome.Reason ?? "");
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Up to <see cref="DeliveryRetryOptions.MaxAttempts"/> attempts, waiting <see cref="DeliveryBackoff.Delay"/> on
    /// <paramref name="time"/> after each one that failed for a reason that may pass; the last outcome.
    /// </summary>
    /// <param name="retrying">Told of each failed attempt that is tried again (its number from 1, its outcome, the wait).</param>
    public static async Task<DeliveryOutcome> DeliverAsync(
        IAlertTarget target, Alert alert, DeliveryRetryOptions retry, TimeProvider time, Action<int, DeliveryOutcome, TimeSpan>? retrying, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            DeliveryOutcome outcome;
            try
            {
                outcome = await target.SendAsync(alert, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A failure the target did not foresee is the target's, not the sender's: its loop goes on with the next alert.
                outcome = DeliveryOutcome.Refused($"{e.GetType().Name}: {e.Message}");
            }

            if (outcome.Delivered || !outcome.Transient || attempt >= retry.MaxAttempts)
            {
                return outcome;
            }

            var wait = DeliveryBackoff.Delay(attempt - 1, retry, outcome.RetryAfter);
            retrying?.Invoke(attempt, outcome, wait);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Alert {Event} ({Key}) delivered to {Target}")]
        public static partial void Delivered(ILogger logger, string @event, string key, string target);

        [LoggerMessage(2, LogLevel.Information, "Alert {Event} to {Target}: attempt {Attempt} failed ({Reason}); again in {Wait}")]
        public static partial void Retrying(ILogger logger, string @event, string target, int attempt, string reason, TimeSpan wait);

        [LoggerMessage(3, LogLevel.Warning, "Alert {Event} ({Key}) not delivered to {Target}: {Outcome}: {Reason}")]
        public static partial void NotDelivered(ILogger logger, string @event, string key, string target, string outcome, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Alert {Event} ({Key}) dropped unsent: {Target} has {Capacity} alerts waiting (Notifications:QueueCapacity); the oldest goes first")]
        public static partial void Dropped(ILogger logger, string @event, string key, string target, int capacity);
    }
}
