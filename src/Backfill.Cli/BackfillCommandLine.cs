using System.CommandLine;
using System.Runtime.InteropServices;
using Backfill.Cli.Commands;
using Backfill.Core.Slicing;
using Backfill.Platforms;
using Backfill.Scheduling;

namespace Backfill.Cli;

/// <summary>The <c>backfill</c> verbs. Ctrl-C and SIGTERM cancel the running verb cleanly.</summary>
public static class BackfillCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var (verbArgs, overrides) = CliConfiguration.Split(args);
        var root = new RootCommand("Backfill: throttled backfills of marketplace orders through Kafka.\nConfiguration keys can be overridden with --Section:Key=value, e.g. --Kafka:BootstrapServers=host:9092.")
        {
            DemoCommand.Create(overrides),
            RunCommand.Create(overrides),
            DevKafkaCommand.Create(overrides),
            PlatformSimCommand.Create(overrides),
            ServeCommand.Create(overrides),
            WorkerCommand.Create(overrides),
            StartCommand.Create(overrides),
            StatusCommand.Create(overrides),
            LimitCommand.Create(overrides),
            ShopsCommand.Create(overrides),
            EstimateCommand.Create(overrides),
            ExportCommand.Create(overrides),
            DoctorCommand.Create(overrides),
            NotifyCommand.Create(overrides),
            ListCommand.Create(overrides),
            PauseCommand.Create(overrides),
            ResumeCommand.Create(overrides),
            CancelCommand.Create(overrides),
            RetryCommand.Create(overrides),
            SetCommand.Create(overrides),
        };
        var parse = root.Parse(verbArgs);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            var verb = root.Subcommands.FirstOrDefault(c => c.Name == verbArgs.FirstOrDefault())?.Name;
            Console.Error.WriteLine(verb is null ? "Try 'backfill --help'." : $"Try 'backfill {verb} --help'.");
            return ExitCodes.Usage;
        }

        // Ctrl-C and SIGTERM both cancel the verb, which then stops its hosts and clients cleanly.
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
        }
        catch (Exception e) when (e is UsageException or InvalidRangeException or InvalidJobRequestException or UnknownPlatformException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is OperationFailedException or JobOverlapException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetBaseException().Message}");
            Console.Error.WriteLine("(set Logging:LogLevel:Default=Debug for details)");
            return ExitCodes.Failed;
        }
    }
}
