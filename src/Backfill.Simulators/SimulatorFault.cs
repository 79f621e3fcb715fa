namespace Backfill.Simulators;

/// <summary>A fault the simulator answers one call with, queued by <see cref="SimulatorSwitches.InjectBurst"/>.</summary>
public enum SimulatorFault
{
    /// <summary>HTTP 503 with a gateway's text page instead of the platform's JSON.</summary>
    ServerError,

    /// <summary>The call is held for <see cref="SimulatorSwitches.StallFor"/> before it is answered: a client with a shorter timeout gives up.</summary>
    Stall,

    /// <summary>HTTP 200 with the real answer cut off half way: JSON that does not parse.</summary>
    TruncatedBody,

    /// <summary>HTTP 200 with an HTML page where the JSON should be.</summary>
    InvalidJson,
}
