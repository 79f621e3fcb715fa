using System.Globalization;
using Backfill.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking Lazada's order API (signing, millisecond timestamps, offset paging capped at
/// 5,000, items for up to 50 orders, tokens that refresh without rotating) over a deterministic catalog, under a strict
/// sliding one-second call limit and quotas per period for the whole app. Every answer is HTTP 200.
/// </summary>
public sealed class LazadaSimulator : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The life of an issued access token when no TTL is configured: Lazada's 7 days.</summary>
    public static readonly TimeSpan DefaultTokenLife = TimeSpan.FromDays(7);

    private readonly WebApplication _app;
    private readonly LazadaCatalog _catalog;
    private readonly SimulatorTokens _tokens;

    private LazadaSimulator(WebApplication app, Uri baseUrl, LazadaCatalog catalog, SimulatorTokens tokens, SimulatorStats stats, SimulatorSwitches switches, SimulatorCallLog calls)
    {
        _app = app;
        _catalog = catalog;
        _tokens = tokens;
        BaseUrl = baseUrl;
        Stats = stats;
        Switches = switches;
        Calls = calls;
    }

    /// <summary>Where the API lives, e.g. <c>http://127.0.0.1:41234/rest/</c>: an API name appended gives its address.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Live counters: accepted, refused by the call limit (<see cref="SimulatorStats.Refused"/>) or a quota (<see cref="SimulatorStats.QuotaRefused"/>), refreshes, expired answers.</summary>
    public SimulatorStats Stats { get; }

    /// <summary>Every call it received (the most recent <see cref="SimulatorCallLog.Capacity"/>), in arrival order; <see cref="SimulatorCall.Shop"/> is the seller its token names.</summary>
    public SimulatorCallLog Calls { get; }

    /// <summary>What may be changed while it runs; the Lazada simulator honours <see cref="SimulatorSwitches.Latency"/>.</summary>
    public SimulatorSwitches Switches { get; }

    /// <summary>Starts a simulator on <see cref="LazadaSimulatorOptions.Address"/> at <see cref="LazadaSimulatorOptions.Port"/> (0: a free port).</summary>
    /// <param name="options">Port, limits, credentials and seed; read once at start.</param>
    /// <param name="time">The clock for the limits, timestamps, tokens and latency; the system clock unless given.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LazadaSimulator> StartAsync(LazadaSimulatorOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var quotas = options.Validate();
        time ??= TimeProvider.System;

        // The empty builder reads no appsettings.json or environment: a host's own Kestrel settings must not leak in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(options.Address, options.Port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        var stats = new SimulatorStats();
        var switches = new SimulatorSwitches(options.Seed) { Latency = options.Latency, LatencyMax = options.LatencyMax };
        var catalog = new LazadaCatalog(options.Seed, new Dictionary<string, int>(options.ShopVolume, StringComparer.Ordinal));
        var answers = new LazadaAnswers(stats);
        var tokens = new SimulatorTokens(
            new Dictionary<string, string>(options.AccessTokens, StringComparer.Ordinal),
            new Dictionary<string, string>(options.RefreshTokens, StringComparer.Ordinal),
            options.TokenTtl,
            time,
            rotate: false,
            defaultLife: DefaultTokenLife);
        var auth = new LazadaAuth(options.AppKey, options.AppSecret, tokens, answers, time);
        var api = new LazadaApi(
            new LazadaAdmission(options.PermitsPerSecond, quotas, time), auth, new LazadaOrderEndpoints(catalog, answers, time), tokens, answers, stats, switches, time);
        app.UseRouting();
        api.Map(app);

        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            return new LazadaSimulator(app, new Uri(address.TrimEnd('/') + LazadaApi.Root + "/"), catalog, tokens, stats, switches, api.Calls);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Ends the life of every access token issued so far for <paramref name="shopId"/>: calls with them are answered
    /// <c>IllegalAccessToken</c>, while tokens refreshed from now on live their whole life.
    /// </summary>
    public void ExpireTokens(string shopId) => _tokens.ExpireIssued(shopId);

    /// <summary>
    /// What a pull of the seller's orders created in <c>[from, to)</c> must bring back: the order ids (decimal) sorted by
    /// (created_at, order_id), and a checksum that only the items call can give: the sum of every item's <c>item_price</c>.
    /// </summary>
    public SimulatorExpectation Expected(string shopId, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(shopId);
        var orders = _catalog.Between(shopId, from, to);
        return new SimulatorExpectation(
            Datasets.Orders,
            [.. orders.Select(o => o.OrderId.ToString(CultureInfo.InvariantCulture))],
            orders.Sum(o => _catalog.Items(shopId, o).Sum(i => i.ItemPrice)));
    }

    /// <summary>How many orders the seller has created on <paramref name="day"/> (its local day, +08:00): to find a busy day.</summary>
    public int OrdersOn(string shopId, DateOnly day) => _catalog.CountOn(shopId, day);

    /// <summary>Stops listening; calls still in flight get a few seconds to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(StopTimeout, TimeProvider.System);
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
