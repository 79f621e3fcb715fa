using System.Globalization;
using System.CommandLine;
using System.Net;
using Backfill.Simulators;
using Backfill.Simulators.Lazada;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill platform-sim</c>: the simulator of the configured platform's kind (Shopee v2, or Lazada for
/// <c>Kind = lazada</c>) on its own, for runs against a strict limit.
/// </summary>
internal static class PlatformSimCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var address = new Option<string>("--address") { Description = "Address to listen on: 127.0.0.1 keeps the simulator to this machine, 0.0.0.0 lets other machines and containers call it.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = Numbers.Whole(new Option<int>("--port") { Description = "Port on --address (0 = any free port).", DefaultValueFactory = _ => 0 });
        var limit = Numbers.Decimal(new Option<double>("--limit") { Description = "Calls allowed in any sliding second (0 = unlimited).", DefaultValueFactory = _ => 20 });
        var perShop = Numbers.Decimal(new Option<double>("--per-shop") { Description = "Calls allowed per shop in any sliding second (0 = no per-shop limit; Shopee only).", DefaultValueFactory = _ => 0 });
        var platform = new Option<string>("--platform") { Description = "Take the kind, partner id and key (Lazada: app key, secret and RateLimit:Quotas) and shop tokens (access and refresh) from Platforms:NAME.", DefaultValueFactory = _ => "demo" };
        var tokenTtl = new Option<string?>("--token-ttl") { Description = "Life of every access token (the configured ones from start, refreshed ones from their refresh), at least 00:00:01; default: configured tokens never expire, refreshed ones live 4 hours." };
        var latency = new Option<string?>("--latency") { Description = "Hold every admitted call this many milliseconds before answering (300), or a uniform draw in a range (150-350); counted on arrival, before the wait. Default 0." };
        var command = new Command("platform-sim", "Run the Shopee v2 simulator on 127.0.0.1 (or --address) until Ctrl-C, refusing calls over a strict sliding one-second limit. Token refreshes (POST /api/v2/auth/access_token/get) rotate refresh tokens as Shopee does. A platform of Kind lazada gets the Lazada simulator (base URL .../rest/, quotas per period from RateLimit:Quotas, refresh tokens not rotated).\n\nExamples:\n  backfill platform-sim --port 5090 --limit 20\n  backfill platform-sim --token-ttl 00:00:20\n  backfill platform-sim --limit 20 --latency 150-350\n  backfill platform-sim --address 0.0.0.0 --port 5090") { address, port, limit, perShop, platform, tokenTtl, latency };
        command.Validators.Add(r =>
        {
            if (r.GetResult(address)?.Tokens is [{ } ip, ..] && !IPAddress.TryParse(ip.Value, out _))
            {
                r.AddError($"--address must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got '{ip.Value}').");
            }

            if (CommonOptions.Given(r.GetResult(port)) is < 0 or > 65535)
            {
                r.AddError("--port must be between 0 and 65535.");
            }

            if (CommonOptions.Given(r.GetResult(limit)) < 0)
            {
                r.AddError("--limit must not be negative.");
            }

            if (CommonOptions.Given(r.GetResult(perShop)) < 0)
            {
                r.AddError("--per-shop must not be negative.");
            }

            if (r.GetResult(latency)?.Tokens is [{ } wait, ..] && !LatencyRange.TryParse(wait.Value, out _, out var problem))
            {
                r.AddError($"--latency {problem}.");
            }

            if (r.GetResult(tokenTtl)?.Tokens is [{ } ttl, ..] && !(TimeSpan.TryParse(ttl.Value, CultureInfo.InvariantCulture, out var life) && life >= TimeSpan.FromSeconds(1)))
            {
                r.AddError($"--token-ttl must be a time span of at least 00:00:01, e.g. 00:00:20 (got '{ttl.Value}').");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            var section = configuration.GetSection($"Platforms:{parse.GetValue(platform)}");
            if (!section.Exists())
            {
                throw new UsageException($"Unknown platform '{parse.GetValue(platform)}': the simulator takes its partner id and key from Platforms:NAME.");
            }

            var life = parse.GetValue(tokenTtl) is { } ttl ? TimeSpan.Parse(ttl, CultureInfo.InvariantCulture) : (TimeSpan?)null;
            var wait = parse.GetValue(latency) is { } text && LatencyRange.TryParse(text, out var range, out _) ? range : new LatencyRange(TimeSpan.Zero, TimeSpan.Zero);
            if (string.Equals(section["Kind"], "lazada", StringComparison.OrdinalIgnoreCase))
            {
                await using var lazada = await StartLazadaAsync(section, IPAddress.Parse(parse.GetValue(address)!), parse.GetValue(port), parse.GetValue(limit), life, wait, ct);
                Console.Out.WriteLine($"listening: {lazada.BaseUrl}");
                Console.Error.WriteLine($"Lazada, limit {parse.GetValue(limit)}/s (strict sliding window, counted on arrival), latency {wait}; stats at {new Uri(lazada.BaseUrl, "/sim/stats")}. Ctrl-C to stop.");
                await Console.Out.FlushAsync(ct);
                await UntilCancelledAsync(ct);
                Console.Error.WriteLine($"accepted {lazada.Stats.Accepted}, refused {lazada.Stats.Refused}, refused by quota {lazada.Stats.QuotaRefused}, token refreshes {lazada.Stats.Refreshes} ({lazada.Stats.RefusedRefreshes} refused), answered expired {lazada.Stats.ExpiredAnswers}");
                return ExitCodes.Success;
            }

            await using var simulator = await PlatformSimulator.StartAsync(new SimulatorOptions
            {
                Address = IPAddress.Parse(parse.GetValue(address)!),
                Port = parse.GetValue(port),
                PermitsPerSecond = parse.GetValue(limit),
                PerShopPermitsPerSecond = parse.GetValue(perShop) is > 0 and var shopLimit ? shopLimit : null,
                PartnerId = section.GetValue<long>("PartnerId"),
                PartnerKey = section["PartnerKey"] ?? "",
                AccessTokens = section.GetSection("Shops").GetChildren().Where(s => s["AccessToken"] is not null).ToDictionary(s => s.Key, s => s["AccessToken"]!),
                RefreshTokens = section.GetSection("Shops").GetChildren().Where(s => s["RefreshToken"] is not null).ToDictionary(s => s.Key, s => s["RefreshToken"]!),
                TokenTtl = life,
                Latency = wait.Min,
                LatencyMax = wait.Max,
            }, cancellationToken: ct);
            Console.Out.WriteLine($"listening: {simulator.BaseUrl}");
            var perShopText = parse.GetValue(perShop) is > 0 and var each ? $", {each}/s per shop" : "";
            Console.Error.WriteLine($"limit {parse.GetValue(limit)}/s{perShopText} (strict sliding window, counted on arrival), latency {wait}; stats at {simulator.BaseUrl}sim/stats. Ctrl-C to stop.");
            await Console.Out.FlushAsync(ct);
            await UntilCancelledAsync(ct);
            Console.Error.WriteLine($"accepted {simulator.Stats.Accepted}, refused {simulator.Stats.Refused}, token refreshes {simulator.Stats.Refreshes} ({simulator.Stats.RefusedRefreshes} refused), answered expired {simulator.Stats.ExpiredAnswers}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The Lazada simulator with the app key, secret, sellers' tokens and quotas of <paramref name="section"/>; a bad setting is a usage error naming its key.</summary>
    internal static async Task<LazadaSimulator> StartLazadaAsync(IConfigurationSection section, IPAddress address, int port, double limit, TimeSpan? tokenTtl, LatencyRange latency, CancellationToken ct)
    {
        LazadaSimulatorOptions options;
        try
        {
            options = new LazadaSimulatorOptions
            {
                Address = address,
                Port = port,
                PermitsPerSecond = limit,
                AppKey = section.GetValue<long>("AppKey"),
                AppSecret = section["AppSecret"] ?? "",
                Quotas = section.GetSection("RateLimit:Quotas").Get<List<LazadaQuota>>() ?? [],
                AccessTokens = Tokens(section, "AccessToken"),
                RefreshTokens = Tokens(section, "RefreshToken"),
                TokenTtl = tokenTtl,
                Latency = latency.Min,
                LatencyMax = latency.Max,
            };
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"{section.Path}: {e.Message} {e.InnerException?.Message}".TrimEnd());
        }

        try
        {
            return await LazadaSimulator.StartAsync(options, cancellationToken: ct);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{section.Path}: {e.Message}");
        }
    }

    private static Dictionary<string, string> Tokens(IConfigurationSection platform, string name) =>
        platform.GetSection("Shops").GetChildren().Where(s => s[name] is not null).ToDictionary(s => s.Key, s => s[name]!);

    private static async Task UntilCancelledAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
