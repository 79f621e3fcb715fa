namespace Backfill.Platforms.Resilience;

/// <summary>How a call's request left this process, as its windows count it (<see cref="CallWindow"/>).</summary>
internal enum DepartureKind
{
    /// <summary>Counted as admitted: counted strict anyway, or on arrival and within <see cref="CallCounting.MostHeld"/> of its start.</summary>
    OnTime,

    /// <summary>Left in time, but onto a connection being opened: counted strict from then on.</summary>
    Connecting,

    /// <summary>Held here past <see cref="CallCounting.MostHeld"/>: counted strict from then on.</summary>
    Late,

    /// <summary>Held here so long that its place may have been taken meanwhile: it must not go out.</summary>
    TooLate,
}

/// <param name="Held">How long after its start the request left (zero for a call counted strict: it does not matter there).</param>
internal readonly record struct Departure(DepartureKind Kind, TimeSpan Held)
{
    public static readonly Departure OnTime = new(DepartureKind.OnTime, TimeSpan.Zero);

    /// <summary>Whether the request was held in the process longer than counting on arrival allows: a sign of a process that pauses (a new connection is not one).</summary>
    public bool IsLate => Kind is DepartureKind.Late or DepartureKind.TooLate;

    /// <summary>The later of two departures of one request (from its lane's and its shop's windows).</summary>
    public static Departure Worst(Departure a, Departure b) => (a.Kind, a.Held).CompareTo((b.Kind, b.Held)) >= 0 ? a : b;
}

/// <summary>A call about to send its request, told when the request leaves this process and when it starts a connection.</summary>
internal interface IDeparting
{
    /// <param name="connecting">Whether a connection of the platform's client is being opened now (the request may wait for it).</param>
    Departure Leave(bool connecting = false);

    /// <summary>The request started a new connection, and waits for it: counted strict from now on.</summary>
    void Connecting();
}

/// <summary>
/// The call whose request the current flow sends: set around an attempt (its value flows into the HTTP client's handlers
/// and goes back when the attempt's method returns), read by the platform client's innermost handler
/// (<see cref="DepartureHandler"/>).
/// </summary>
internal static class Departing
{
    private static readonly AsyncLocal<IDeparting?> CurrentCall = new();

    public static IDeparting? Current
    {
        get => CurrentCall.Value;
        set => CurrentCall.Value = value;
    }
}
