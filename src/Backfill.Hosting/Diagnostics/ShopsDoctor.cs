using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Core.Secrets;
using Backfill.Scheduling;
using Backfill.Scheduling.Shops;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// The shop rows of <c>doctor</c>: whether this configuration's refresh tokens can be used at all (they need
/// <c>Backfill:SecretKey</c>), and a row per shop of the running scheduler's registry — its state and token expiries, a
/// warning for what to act on (<see cref="ShopWarnings"/>). The registry lives in <c>serve</c>'s LiteDB file, which
/// <c>serve</c> holds open, so it is read through the scheduler's API at <c>Backfill:ServerUrl</c>; never a token.
/// </summary>
internal static class ShopsDoctor
{
    public const string KeyCheck = "secret key";
    public const string RegistryCheck = "shops";

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<IReadOnlyList<DoctorCheck>> CheckAsync(IConfiguration configuration, BackfillOptions backfill, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        if (Key(configuration, backfill.SecretKey) is { } key)
        {
            checks.Add(key);
        }

        checks.AddRange(await RegistryAsync(configuration, backfill.ServerUrl, cancellationToken));
        return checks;
    }

    /// <summary>The key's row: a warning when refresh tokens are configured without it; null when neither is set (or the key is invalid: the configuration row says so).</summary>
    public static DoctorCheck? Key(IConfiguration configuration, string? secretKey)
    {
        var refreshTokens = configuration.GetSection("Platforms").GetChildren()
            .SelectMany(p => p.GetSection("Shops").GetChildren())
            .Count(s => !string.IsNullOrWhiteSpace(s["RefreshToken"]));
        if (string.IsNullOrEmpty(secretKey))
        {
            return refreshTokens == 0 ? null : DoctorCheck.Warn(KeyCheck,
                $"refresh tokens are configured for {refreshTokens} shop(s) but Backfill:SecretKey is not set: the scheduler neither stores nor refreshes them, so those shops' access tokens lapse; {ShopRegistry.SetSecretKey}.");
        }

        return SecretBox.Problem(secretKey) is null
            ? DoctorCheck.Ok(KeyCheck, "set: the scheduler stores shop tokens sealed under it (AES-256-GCM), refreshes them, and hands access tokens to the workers sealed.")
            : null;
    }

    /// <summary>A row per registered shop of each configured platform, as the scheduler at <paramref name="serverUrl"/> answers.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> RegistryAsync(IConfiguration configuration, string serverUrl, CancellationToken cancellationToken)
    {
        var platforms = configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).ToList();
        if (platforms.Count == 0)
        {
            return [];
        }

        if (!Uri.TryCreate(serverUrl.TrimEnd('/') + "/", UriKind.Absolute, out var server))
        {
            return [DoctorCheck.Warn(RegistryCheck, $"not checked: Backfill:ServerUrl '{serverUrl}' is not a URL (see the configuration row).")];
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = Deadline }) { BaseAddress = server, Timeout = Deadline };
        var shops = new List<ShopView>();
        foreach (var platform in platforms)
        {
            try
            {
                using var response = await http.GetAsync($"api/platforms/{Uri.EscapeDataString(platform)}/shops", cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return [DoctorCheck.Warn(RegistryCheck, $"not checked: the scheduler at {Shown(server)} answered {(int)response.StatusCode} {response.StatusCode} for the shops of {platform} (is it a 'backfill serve' of this configuration?).")];
                }

                shops.AddRange((await response.Content.ReadFromJsonAsync<ShopList>(Web, cancellationToken))?.Shops ?? []);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var why = e is TaskCanceledException ? $"no answer within {Deadline.TotalSeconds:0} s" : e.Message;
                return [DoctorCheck.Warn(RegistryCheck, $"not checked: no scheduler answers at {Shown(server)} ({why}). The shop registry (states, token expiries) lives in 'backfill serve': run doctor where it reaches serve, or set Backfill:ServerUrl.")];
            }
        }

        return shops.Count == 0
            ? [DoctorCheck.Ok(RegistryCheck, $"the scheduler at {Shown(server)} has no shop registered.")]
            : [.. shops.Select(Row)];
    }

    /// <summary>A shop's row: ok, or a warning when it has something to act on.</summary>
    public static DoctorCheck Row(ShopView shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        var check = $"shop {shop.Platform}/{shop.Shop}";
        var refreshed = shop.LastRefreshAt is { } at ? $"last refresh {(shop.LastRefreshFailed ? "failed" : "ok")} at {ShopWarnings.Time(at)}" : "not refreshed yet";
        var detail = $"{shop.State} (from {shop.Origin}); access token v{shop.TokenVersion} {Left(shop.AccessSecondsLeft)}; refresh token {(shop.HasRefreshToken ? Left(shop.RefreshSecondsLeft) : "none held")}; {refreshed}.";
        return shop.Warnings.Count == 0
            ? DoctorCheck.Ok(check, detail)
            : DoctorCheck.Warn(check, $"{detail} {string.Join(" ", shop.Warnings.Select(w => char.ToUpperInvariant(w[0]) + w[1..] + "."))}");
    }

    private static string Left(long? seconds) => seconds switch
    {
        null => "expiry unknown",
        > 0 and var s => $"expires in {ShopWarnings.Span(TimeSpan.FromSeconds(s))}",
        var s => $"expired {ShopWarnings.Span(TimeSpan.FromSeconds(-s.Value))} ago",
    };

    private static string Shown(Uri server) => server.ToString().TrimEnd('/');
}
