namespace Backfill.Platforms.Resilience;

/// <summary>What a throttle did to a platform's budget in this process.</summary>
/// <param name="PausedUntil">No call of the platform starts here before this.</param>
/// <param name="Lengthened">The pause now ends later than it did before (a new one, or a longer Retry-After).</param>
/// <param name="Slowed">A new throttle event: the rate halved. A throttle during a running pause belongs to the event that started it.</param>
/// <param name="CoolOffUntil">Set when the event opened the breaker: the cool-off's end.</param>
internal readonly record struct ThrottleOutcome(DateTimeOffset PausedUntil, bool Lengthened, bool Slowed, DateTimeOffset? CoolOffUntil);
