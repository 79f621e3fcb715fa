using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Scheduling.Shops;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill shops</c>: the shop registry of a running scheduler — the table (never a token: states, origins, expiries),
/// and <c>add</c>, <c>enable</c>, <c>disable</c>, <c>remove</c>.
/// </summary>
internal static class ShopsCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var platform = new Option<string>("--platform") { Description = "Only the shops of this platform (default: every configured platform)." };
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var command = new Command("shops", "List the shops a running scheduler ('backfill serve') knows, per platform: state (active, disabled, needs-authorization), where each came from (configuration or api), when its access and refresh tokens expire, its last refresh, and warnings to act on. Never shows a token.\n\nExamples:\n  backfill shops\n  backfill shops --platform shopee\n  backfill shops --json --server http://scheduler.internal:5080")
        {
            platform, server, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, null, configuration);
            var (list, body) = await client.ShopsAsync(parse.GetValue(platform), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                ShopsView.Write(Console.Out, list.Shops);
            }

            return ExitCodes.Success;
        });
        command.Subcommands.Add(Add(overrides));
        command.Subcommands.Add(Change(overrides, "enable", "Let jobs of a disabled shop be made again, and its tokens be refreshed. A shop that needs authorization needs a new refresh token instead ('backfill shops add').", v => $"shop {v.Platform}/{v.Shop} is {v.State}."));
        command.Subcommands.Add(Change(overrides, "disable", "Stop a shop: no new job of it, no refresh of its tokens (they are kept). Its running jobs go on until its access token lapses; pause or cancel them to stop them now.", v => $"shop {v.Platform}/{v.Shop} is {v.State}: no new job of it, and no refresh of its tokens."));
        command.Subcommands.Add(Remove(overrides));
        return command;
    }

    private static Command Add(IReadOnlyDictionary<string, string?> overrides)
    {
        var (platform, shop) = Arguments();
        var refresh = new Option<string>("--refresh-token")
        {
            Description = "The shop's refresh token, as the platform gave it when the seller authorised the app; '-' reads it from stdin. A token given on the command line is visible to other users in the process list and stays in shell history: prefer '-'.",
            Required = true,
        };
        var access = new Option<string>("--access-token") { Description = "The shop's current access token, if you have one (also visible in the process list); without it the scheduler asks the platform for one at once." };
        var name = new Option<string>("--name") { Description = "A name for people, e.g. the seller's store name." };
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command("add", "Register a shop with the running scheduler, or give a registered one new tokens after its seller authorised the app again; it is active at once, no restart. The tokens are stored sealed under Backfill:SecretKey (the scheduler refuses without it) and never shown. Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill shops add shopee 1001 --refresh-token - < refresh-token.txt\n  pass shopee/1001 | backfill shops add shopee 1001 --refresh-token - --name \"North store\" --json")
        {
            platform, shop, refresh, access, name, server, token, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var refreshToken = parse.GetValue(refresh)!;
            if (refreshToken == "-")
            {
                refreshToken = (await Console.In.ReadToEndAsync(ct)).Trim();
                if (refreshToken.Length == 0)
                {
                    throw new UsageException("--refresh-token -: stdin holds no token; pipe the refresh token in, e.g. 'backfill shops add shopee 1001 --refresh-token - < refresh-token.txt'.");
                }
            }

            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var accessToken = parse.GetValue(access);
            var (view, body, created) = await client.AddShopAsync(parse.GetValue(platform)!, parse.GetValue(shop)!, refreshToken, accessToken, parse.GetValue(name), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                var tokens = string.IsNullOrEmpty(accessToken)
                    ? "no access token given: the scheduler asks the platform for one now."
                    : $"access token version {view.TokenVersion} sent to the workers.";
                Console.Out.WriteLine($"shop {view.Platform}/{view.Shop} {(created ? "added" : "given new tokens")}: {view.State}; {tokens}");
                ShopsView.Warnings(Console.Out, [view]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Change(IReadOnlyDictionary<string, string?> overrides, string verb, string description, Func<ShopView, string> said)
    {
        var (platform, shop) = Arguments();
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command(verb, $"{description} Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill shops {verb} shopee 1001\n  backfill shops {verb} shopee 1001 --json --server http://scheduler.internal:5080")
        {
            platform, shop, server, token, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var (view, body) = await client.ShopCommandAsync(parse.GetValue(platform)!, parse.GetValue(shop)!, verb, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                Console.Out.WriteLine(said(view));
                ShopsView.Warnings(Console.Out, [view]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(IReadOnlyDictionary<string, string?> overrides)
    {
        var (platform, shop) = Arguments();
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command("remove", "Delete a shop and its tokens from the scheduler's registry; refused (exit 1, naming them) while a job of the shop is running or paused. A shop still configured under Platforms: stays known and comes back at the next start. Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill shops remove shopee 1001\n  backfill shops remove shopee 1001 --json")
        {
            platform, shop, server, token, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var (removed, body) = await client.RemoveShopAsync(parse.GetValue(platform)!, parse.GetValue(shop)!, ct);
            Console.Out.WriteLine(parse.GetValue(json) ? body : $"shop {removed.Platform}/{removed.Shop} removed, with its tokens.{(removed.Note is { } note ? $" {note}" : "")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (Argument<string> Platform, Argument<string> Shop) Arguments() =>
        (new Argument<string>("PLATFORM") { Description = "A platform configured under Platforms:NAME." },
         new Argument<string>("SHOP") { Description = "The platform's shop id." });
}
