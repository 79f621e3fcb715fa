namespace Backfill.Cli.Commands;

/// <summary>For the verbs that run until stopped.</summary>
internal static class Lifetime
{
    /// <summary>Returns once Ctrl-C or SIGTERM has cancelled <paramref name="cancellationToken"/>.</summary>
    public static async Task UntilStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
