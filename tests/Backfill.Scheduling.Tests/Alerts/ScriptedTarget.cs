using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

/// <summary>A target that answers each attempt from a script (then delivers), records every attempt with its time, and can hang until released.</summary>
internal sealed class ScriptedTarget(TimeProvider time, params string[] events) : IAlertTarget
{
    private readonly Queue<DeliveryOutcome> _script = new();
    private readonly List<(Alert Alert, DateTimeOffset At, bool Delivered)> _attempts = [];
    private TaskCompletionSource? _gate;
    private int _started;

    public string Name => "scripted";

    /// <summary>Attempts begun, hanging ones included.</summary>
    public int Started => Volatile.Read(ref _started);

    public IReadOnlyList<(Alert Alert, DateTimeOffset At, bool Delivered)> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    public IReadOnlyList<Alert> Delivered => [.. Attempts.Where(a => a.Delivered).Select(a => a.Alert)];

    public ScriptedTarget Answer(params DeliveryOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _script.Enqueue(outcome);
        }

        return this;
    }

    /// <summary>Thrown by the next attempt, as a target's unforeseen failure.</summary>
    public Exception? ThrowNext { get; set; }

    /// <summary>Attempts wait until <see cref="Release"/>.</summary>
    public void Hang() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public bool Wants(string eventName) => AlertEvents.Wants(events, eventName);

    public async Task<DeliveryOutcome> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (ThrowNext is { } thrown)
        {
            ThrowNext = null;
            throw thrown;
        }

        DeliveryOutcome outcome;
        lock (_attempts)
        {
            outcome = _script.TryDequeue(out var next) ? next : DeliveryOutcome.Ok;
            _attempts.Add((alert, time.GetUtcNow(), outcome.Delivered));
        }

        return outcome;
    }
}
