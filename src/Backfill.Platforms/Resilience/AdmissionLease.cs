using System.Threading.RateLimiting;

namespace Backfill.Platforms.Resilience;

/// <summary>The call's places in its windows (lane, shop); Polly disposes the lease when the attempt is over, which ends the call.</summary>
internal sealed class AdmissionLease(params CallWindow.Call[] calls) : RateLimitLease, IDeparting
{
    private TimeSpan? _late;

    /// <summary>How the call's request left this process, the latest of its windows' (<see cref="Departure.OnTime"/> until it leaves).</summary>
    public Departure Departure { get; private set; } = Departure.OnTime;

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

    /// <summary>
    /// The attempt was given up on before its answer came: its request may still reach the platform up to
    /// <paramref name="late"/> after the attempt is over, and is counted in its windows as arriving then.
    /// </summary>
    public void GivenUp(TimeSpan late) => _late = late;

    /// <inheritdoc cref="CallWindow.Call.Leave"/>
    public Departure Leave(bool connecting = false)
    {
        var departure = Departure.OnTime;
        foreach (var call in calls)
        {
            departure = Departure.Worst(departure, call.Leave(connecting));
        }

        Departure = departure;
        return departure;
    }

    /// <inheritdoc cref="CallWindow.Call.Connecting"/>
    public void Connecting()
    {
        foreach (var call in calls)
        {
            call.Connecting();
        }
    }

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var call in calls)
            {
                if (_late is { } late)
                {
                    call.Unanswered(late);
                }
                else
                {
                    call.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }
}
