namespace Backfill.Platforms.Simulator;

/// <summary>What the simulator answered; safe to read while it runs.</summary>
public sealed class SimulatorStats
{
    private long _accepted;
    private long _refused;
    private long _forcedThrottles;
    private long _errors;
    private int _peakCallsPerSecond;

    /// <summary>Calls admitted by the call limit (they count against it), whatever they were answered.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Calls answered 429 because the call limit was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Calls answered 429 because <see cref="SimulatorSwitches.ThrottleEverything"/> was on.</summary>
    public long ForcedThrottles => Interlocked.Read(ref _forcedThrottles);

    /// <summary>Admitted calls answered with an error: invalid, unauthorized or an injected failure.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The most calls admitted within any sliding second so far (partner-wide).</summary>
    public int PeakCallsPerSecond => Volatile.Read(ref _peakCallsPerSecond);

    /// <summary>All counters read at once.</summary>
    public SimulatorStatsSnapshot Snapshot() => new(Accepted, Refused, ForcedThrottles, Errors, PeakCallsPerSecond);

    internal void Accept(int callsInWindow)
    {
        Interlocked.Increment(ref _accepted);
        var peak = Volatile.Read(ref _peakCallsPerSecond);
        while (callsInWindow > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakCallsPerSecond, callsInWindow, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    internal void Refuse() => Interlocked.Increment(ref _refused);

    internal void ForceThrottle() => Interlocked.Increment(ref _forcedThrottles);

    internal void Error() => Interlocked.Increment(ref _errors);
}

/// <summary>The simulator's counters at one moment; also served as JSON at <c>GET /sim/stats</c>.</summary>
public sealed record SimulatorStatsSnapshot(long Accepted, long Refused, long ForcedThrottles, long Errors, int PeakCallsPerSecond);
