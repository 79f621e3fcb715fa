using System.Collections.Concurrent;

namespace Backfill.Platforms.Tests.Budget;

/// <summary>
/// Runs async code on the calling thread alone: every continuation that would go to a synchronization context is queued
/// here and run in order. A test that drives a fake clock then sees each wait's effects (admissions, wake-ups) before it
/// moves the clock again, instead of racing thread-pool continuations that see a later time than they were due at.
/// </summary>
internal sealed class SingleThread : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public static void Run(Func<Task> body)
    {
        var previous = Current;
        var context = new SingleThread();
        SetSynchronizationContext(context);
        try
        {
            var task = body();
            task.ContinueWith(_ => context._queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            foreach (var (callback, state) in context._queue.GetConsumingEnumerable())
            {
                callback(state);
            }

            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("a single thread cannot wait for itself");

    public override SynchronizationContext CreateCopy() => this;
}
