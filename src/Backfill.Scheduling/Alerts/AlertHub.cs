using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// The scheduler's <see cref="IAlerts"/>: an alert raised is told once per key (<see cref="AlertDedup"/>), failed slices
/// are gathered per job (<see cref="SliceFailureBatches"/>, sent when due or when their job ends, before its end), and
/// each target that wants the event gets it through its own <see cref="AlertOutbox"/>. <see cref="Raise"/> takes a lock
/// for a dictionary's work and writes to channels that never wait. When the scheduler stops, open batches are sent and
/// what is queued is given <see cref="DrainTimeout"/> to go out.
/// </summary>
public sealed partial class AlertHub : IAlerts, IHostedService, IDisposable
{
    /// <summary>How long a stopping scheduler waits for queued alerts to be delivered.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly List<AlertOutbox> _outboxes;
    private readonly AlertDedup _dedup;
    private readonly SliceFailureBatches _batches;
    private readonly TimeSpan _batchWindow;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertHub> _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopFlushing = new();
    private Task _running = Task.CompletedTask;

    public AlertHub(IOptions<NotificationOptions> options, IEnumerable<IAlertTarget> targets, TimeProvider time, ILogger<AlertHub> logger)
    {
        var o = options.Value;
        (_time, _logger, _batchWindow) = (time, logger, o.SliceFailedBatch);
        _dedup = new AlertDedup(o.DedupWindow);
        _batches = new SliceFailureBatches(o.SliceFailedBatch);
        _outboxes = [.. targets.Select(t => new AlertOutbox(t, o, time, logger))];
    }

    /// <summary>Alerts delivered, failed (refused or given up on) and dropped unsent, over every target.</summary>
    public (long Delivered, long Failed, long Dropped) Totals => (_outboxes.Sum(o => o.Delivered), _outboxes.Sum(o => o.Failed), _outboxes.Sum(o => o.Dropped));

    public void Raise(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!_outboxes.Any(o => o.Target.Wants(alert.Event)))
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (alert is { Event: AlertEvents.SliceFailed, Job: { } job, Platform: { } platform, Slices: { Count: 1 } one })
        {
            _batches.Add(job, platform, one[0], now);
            return;
        }

        if (alert is { Event: AlertEvents.JobSucceeded or AlertEvents.JobFailed, Job: { } finished } && _batches.Take(finished, now) is { } batch)
        {
            Send(batch);
        }

        Send(alert);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_outboxes.Count == 0)
        {
            return Task.CompletedTask;
        }

        Log.Targets(_logger, _outboxes.Count, string.Join("; ", _outboxes.Select(o => o.Target.Name)));
        _running = Task.WhenAll(_outboxes.Select(o => Task.Run(() => o.RunAsync(_abort.Token), CancellationToken.None)).Append(FlushAsync(_stopFlushing.Token)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopFlushing.CancelAsync();
        foreach (var batch in _batches.TakeAll(_time.GetUtcNow()))
        {
            Send(batch);
        }

        foreach (var outbox in _outboxes)
        {
            outbox.Complete();
        }

        try
        {
            await _running.WaitAsync(DrainTimeout, _time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            Log.Undelivered(_logger, DrainTimeout);
        }
        finally
        {
            await _abort.CancelAsync();
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _stopFlushing.Dispose();
    }

    private void Send(Alert alert)
    {
        if (!_dedup.Admit(alert.Key, _time.GetUtcNow()))
        {
            return;
        }

        foreach (var outbox in _outboxes.Where(o => o.Target.Wants(alert.Event)))
        {
            outbox.Offer(alert);
        }
    }

    /// <summary>Sends failed-slice batches as they fall due; checks ten times per batch window (between 100 ms and a second).</summary>
    private async Task FlushAsync(CancellationToken stop)
    {
        var every = TimeSpan.FromTicks(Math.Clamp(_batchWindow.Ticks / 10, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(every, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var batch in _batches.TakeDue(_time.GetUtcNow()))
                {
                    Send(batch);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Alerts go to {Count} target(s): {Targets}")]
        public static partial void Targets(ILogger logger, int count, string targets);

        [LoggerMessage(2, LogLevel.Warning, "Alerts still queued or being retried after {Timeout} when stopping were not delivered")]
        public static partial void Undelivered(ILogger logger, TimeSpan timeout);
    }
}
