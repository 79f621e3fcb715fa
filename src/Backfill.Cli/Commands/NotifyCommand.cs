using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Scheduling.Alerts;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill notify test</c>: one test alert to every configured target, one attempt each, and what came of it.</summary>
internal static class NotifyCommand
{
    private static readonly DeliveryRetryOptions OneAttempt = new() { MaxAttempts = 1 };

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var json = CommonOptions.Json();
        var test = new Command("test", "Send one test notification (event 'test') to each webhook of Notifications:Webhooks, signed as alerts are, and one mail to the recipients of Notifications:Email, whatever events they take; one attempt each, no retry. Prints, per target, whether it was delivered and if not why (never a secret or a webhook's path). Needs no running 'serve'. Exit 0 when every target took it, 1 when one did not, 2 when none is configured.\n\nExamples:\n  backfill notify test\n  backfill notify test --json --Notifications:Email:SmtpHost=localhost --Notifications:Email:Port=25") { json };
        test.SetAction(async (parse, ct) =>
        {
            var options = new NotificationOptions();
            CliConfiguration.Build(overrides).GetSection("Notifications").Bind(options);
            if (!options.Any)
            {
                throw new UsageException("No notification target is configured: set Notifications:Webhooks or Notifications:Email (README, \"Alerts\").");
            }

            using var http = new HttpClient(AlertTargets.Handler()) { Timeout = Timeout.InfiniteTimeSpan };
            var alert = Alert.Test(TimeProvider.System.GetUtcNow());
            var results = new List<(string Target, DeliveryOutcome Outcome)>();
            foreach (var target in AlertTargets.From(options, http, TimeProvider.System))
            {
                results.Add((target.Name, await AlertOutbox.DeliverAsync(target, alert, OneAttempt, TimeProvider.System, null, ct)));
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(NotifyView.Json(results));
            }
            else
            {
                NotifyView.Write(Console.Out, results);
            }

            return results.All(r => r.Outcome.Delivered) ? ExitCodes.Success : ExitCodes.Failed;
        });
        return new Command("notify", "Alerts (Notifications:Webhooks, Notifications:Email): 'notify test' checks every target.") { test };
    }
}
