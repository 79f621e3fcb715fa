using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Hosting.Diagnostics;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill doctor</c>: checks this process's configuration against Kafka and the platforms, without <c>serve</c>.</summary>
internal static class DoctorCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var json = CommonOptions.Json();
        var command = new Command("doctor", "Check the configuration and what it points at, one row per check (ok, warn, fail): the configuration is valid; Kafka answers; each topic exists, with its partitions; action partitions against each platform's budget lanes and the worker consumers in the group (R9); the lag of the worker and scheduler groups; a signed test call per platform (the first page of its first shop over the last hour). Needs no running 'serve'; writes nothing. Exit 0 when no check failed (warnings allowed), 1 when one did.\n\nExamples:\n  backfill doctor\n  backfill doctor --json --Kafka:BootstrapServers=kafka-1:9092,kafka-2:9092") { json };
        command.SetAction(async (parse, ct) =>
        {
            var checks = await Doctor.RunAsync(CliConfiguration.Load(overrides), TimeProvider.System, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(DoctorView.Json(checks));
            }
            else
            {
                DoctorView.Write(Console.Out, checks);
            }

            return checks.Any(c => c.Status == CheckStatus.Fail) ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }
}
