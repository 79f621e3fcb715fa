namespace Backfill.Platforms.Resilience;

/// <summary>
/// The platform client's innermost handler: tells the call being sent (<see cref="Departing"/>) that its request leaves
/// the process now, and whether a connection is being opened meanwhile (<see cref="ConnectionWatch"/>); does not send a
/// request held here so long that its place in the rate window may have been taken.
/// </summary>
internal sealed class DepartureHandler(string platform, ConnectionWatch connections) : DelegatingHandler
{
    public const string HeldTooLong = "held_too_long";

    /// <summary>The call a request is sent for, for the connection it may start.</summary>
    public static readonly HttpRequestOptionsKey<IDeparting> CallKey = new("backfill.call");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Departing.Current is { } call)
        {
            if (call.Leave(connections.Opening) is { Kind: DepartureKind.TooLate } departure)
            {
                throw new PlatformException(
                    platform,
                    PlatformErrorKind.Transient,
                    HeldTooLong,
                    $"the request was held in this process {(long)departure.Held.TotalMilliseconds} ms after its admission, past its place in the rate window; not sent");
            }

            request.Options.Set(CallKey, call);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
