namespace Backfill.Scheduling;

/// <summary>A job request that cannot be made into a job as asked; the message says why and what to ask instead.</summary>
/// <param name="member">The request's member at fault, as the API names it (<c>shops</c>, <c>slices</c>).</param>
public sealed class InvalidJobRequestException(string member, string message) : ArgumentException(message)
{
    public string Member { get; } = member;
}
