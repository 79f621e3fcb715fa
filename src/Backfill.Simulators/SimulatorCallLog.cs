namespace Backfill.Simulators;

/// <summary>
/// Every shop-level call and token refresh the simulator received, in the order they were answered (each with its arrival time), so a test can check what the platform saw call by call
/// (retries per page, gaps after a refusal). Bounded: the oldest calls are dropped past <see cref="Capacity"/>.
/// </summary>
public sealed class SimulatorCallLog
{
    /// <summary>Calls kept; a long-running simulator keeps the most recent ones.</summary>
    public const int Capacity = 100_000;

    private readonly Lock _lock = new();
    private readonly Queue<SimulatorCall> _calls = new();

    /// <summary>The calls kept so far, oldest first.</summary>
    public IReadOnlyList<SimulatorCall> Snapshot()
    {
        lock (_lock)
        {
            return [.. _calls];
        }
    }

    internal void Add(SimulatorCall call)
    {
        lock (_lock)
        {
            if (_calls.Count == Capacity)
            {
                _calls.Dequeue();
            }

            _calls.Enqueue(call);
        }
    }
}

/// <summary>One call as the simulator saw it. Never holds the token or the signature.</summary>
/// <param name="At">When it arrived.</param>
/// <param name="AnsweredAt">When its answer was decided (after any latency or stall).</param>
/// <param name="Path">The API path.</param>
/// <param name="Shop">The <c>shop_id</c> parameter as sent.</param>
/// <param name="Request">What was asked, the same for every attempt at the same page: time range and cursor, or the order numbers.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="Outcome">
/// <c>ok</c>, <c>throttled</c> (refused by a storm or everything throttled), <c>refused</c> (the call limit), <c>expired</c>
/// (the access token is past its life), <c>error</c>, or the injected fault's name.
/// </param>
/// <param name="RetryAfter">The Retry-After sent with a refusal.</param>
/// <param name="TokenGeneration">
/// Which of the shop's access tokens the call carried: 0 the configured one, n the one the n-th refresh issued; for a
/// refresh, the generation it issued. Null when unknown (no token checked, or a simulator that accepts any token).
/// </param>
public sealed record SimulatorCall(
    DateTimeOffset At, DateTimeOffset AnsweredAt, string Path, string Shop, string Request, int Status, string Outcome, TimeSpan? RetryAfter, int? TokenGeneration = null);
