namespace Backfill.Platforms.Resilience;

/// <summary>
/// The platform client's innermost handler: tells the call being sent (<see cref="Departing"/>) that its request leaves
/// the process now, and does not send one held here so long that its place in the rate window may have been taken.
/// </summary>
internal sealed class DepartureHandler(string platform) : DelegatingHandler
{
    public const string HeldTooLong = "held_too_long";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Departing.Current?.Leave() is { Kind: DepartureKind.TooLate } departure)
        {
            throw new PlatformException(
                platform,
                PlatformErrorKind.Transient,
                HeldTooLong,
                $"the request was held in this process {(long)departure.Held.TotalMilliseconds} ms after its admission, past its place in the rate window; not sent");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
