using Backfill.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.Cli.Commands;

/// <summary>For the verbs that run a host until stopped.</summary>
internal static class Lifetime
{
    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(10);

    /// <summary>Runs a started host until stopped, then stops it and flushes what its producer still holds.</summary>
    /// <exception cref="OperationFailedException">A background service of the host failed.</exception>
    public static async Task RunUntilStoppedAsync(IHost host, string verb, string what, CancellationToken cancellationToken)
    {
        try
        {
            await UntilStoppedAsync(host.Services, what, cancellationToken);
        }
        finally
        {
            Console.Error.WriteLine($"{verb}: stopping…");
            await host.StopAsync(CancellationToken.None);
            host.Services.FlushProducer(FlushLimit);
            Console.Error.WriteLine($"{verb} stopped.");
        }
    }

    /// <summary>
    /// Returns once Ctrl-C or SIGTERM has cancelled <paramref name="cancellationToken"/> or the host is stopping
    /// (it sees the same signals, and stops by itself when a background service fails).
    /// </summary>
    /// <exception cref="OperationFailedException">A background service of the host failed.</exception>
    public static async Task UntilStoppedAsync(IServiceProvider services, string what, CancellationToken cancellationToken)
    {
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
        }

        var failed = services.GetServices<IHostedService>().OfType<BackgroundService>().FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });
        if (failed?.ExecuteTask?.Exception is { } e)
        {
            throw new OperationFailedException($"{what} stopped: {failed.GetType().Name} failed: {e.GetBaseException().Message}");
        }
    }
}
