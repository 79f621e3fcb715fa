using Backfill.Platforms.Configuration;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting;

/// <summary>How long a stopping host waits for its services before it gives up on them (its <c>ShutdownTimeout</c>).</summary>
public static class HostStop
{
    /// <summary>The least a host waits: the scheduler's last writes and a worker's commits and group leave.</summary>
    public static readonly TimeSpan Least = TimeSpan.FromSeconds(30);

    // A worker's commits, its consumers' leaving the group and its last deliveries after its hand-overs.
    private static readonly TimeSpan AfterHandOver = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a host of <paramref name="roles"/> waits to stop. A worker hands each partition over only once its steps'
    /// calls under way have ended (each within its platform's <c>Timeout</c>) and no call given up on can still reach the
    /// platform (one <c>Timeout</c> more): up to two of the longest <c>Timeout</c>, then its commits. Cut short, it would
    /// leave the group without them, and the partitions' next owners would wait a session timeout for them.
    /// </summary>
    public static TimeSpan Timeout(IConfiguration configuration, BackfillRoles roles)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!roles.HasFlag(BackfillRoles.Worker))
        {
            return Least;
        }

        var longest = configuration.GetSection(PlatformsConfiguration.SectionName).GetChildren().Select(TimeoutOf).DefaultIfEmpty(TimeSpan.Zero).Max();
        var handOver = (2 * longest) + AfterHandOver;
        return handOver > Least ? handOver : Least;
    }

    /// <summary>A platform's <c>Timeout</c> as every process binds it; a section the binder cannot read (refused by the start check) counts as the default.</summary>
    private static TimeSpan TimeoutOf(IConfigurationSection platform)
    {
        try
        {
            return PlatformsConfiguration.Bind(platform).Timeout;
        }
        catch (InvalidOperationException)
        {
            return new PlatformOptions().Timeout;
        }
    }
}
