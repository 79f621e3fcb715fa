using Backfill.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Simulators;

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking the platform's order, escrow and return API (signing, parameter rules, errors, a strict
/// sliding one-second call limit) over a deterministic catalog, with faults to switch on at run time.
/// </summary>
public sealed class PlatformSimulator : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly OrderCatalog _catalog;
    private readonly SimulatorTokens _tokens;

    private PlatformSimulator(WebApplication app, Uri baseUrl, OrderCatalog catalog, SimulatorTokens tokens, SimulatorStats stats, SimulatorSwitches switches, SimulatorCallLog calls)
    {
        _tokens = tokens;
        Calls = calls;
        _app = app;
        _catalog = catalog;
        BaseUrl = baseUrl;
        Stats = stats;
        Switches = switches;
    }

    /// <summary>Where the simulator listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Live counters of what it answered.</summary>
    public SimulatorStats Stats { get; }

    /// <summary>Every call it received, order calls and token refreshes (the most recent <see cref="SimulatorCallLog.Capacity"/>), in the order they were answered.</summary>
    public SimulatorCallLog Calls { get; }

    /// <summary>Faults to switch on and off while it runs.</summary>
    public SimulatorSwitches Switches { get; }

    /// <summary>Starts a simulator on <see cref="SimulatorOptions.Address"/> at <see cref="SimulatorOptions.Port"/> (0: a free port).</summary>
    /// <param name="options">Port, limits, credentials and seed; read once at start.</param>
    /// <param name="time">The clock for the call limit, timestamps and latency; the system clock unless given.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<PlatformSimulator> StartAsync(SimulatorOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        time ??= TimeProvider.System;

        // The empty builder reads no appsettings.json or environment: a host's own Kestrel settings must not leak in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(options.Address, options.Port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        var stats = new SimulatorStats();
        var switches = new SimulatorSwitches(options.Seed) { Latency = options.Latency, LatencyMax = options.LatencyMax };
        var catalog = new OrderCatalog(options.Seed, new Dictionary<string, int>(options.ShopVolume, StringComparer.Ordinal));
        var answers = new SimulatorAnswers(stats);
        var tokens = new SimulatorTokens(
            new Dictionary<string, string>(options.AccessTokens, StringComparer.Ordinal), new Dictionary<string, string>(options.RefreshTokens, StringComparer.Ordinal), options.TokenTtl, time);
        var auth = new SimulatorAuth(options.PartnerId, options.PartnerKey, tokens, switches, answers, time);
        var admission = new CallAdmission(options.PermitsPerSecond, options.PerShopPermitsPerSecond, time);
        app.UseRouting();
        var api = new SimulatorApi(admission, auth, new OrderEndpoints(catalog, answers), tokens, answers, stats, switches, options.PartnerId, options.Seed, time);
        api.Map(app);

        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            return new PlatformSimulator(app, new Uri(address), catalog, tokens, stats, switches, api.Calls);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Ends the life of every access token issued so far for <paramref name="shopId"/>: calls with them are answered
    /// <c>invalid_acceess_token</c>, while tokens refreshed from now on live their whole life (a platform that expired a
    /// token before the time it announced).
    /// </summary>
    public void ExpireTokens(string shopId) => _tokens.ExpireIssued(shopId);

    /// <summary>The number of orders of <paramref name="shopId"/> created in <c>[from, to)</c>.</summary>
    public long ExpectedOrders(string shopId, DateTimeOffset from, DateTimeOffset to) =>
        ExpectedOrders(shopId, from, to, TimeFields.CreateTime);

    /// <summary>The number of orders of <paramref name="shopId"/> whose <paramref name="timeRangeField"/> (<c>create_time</c> or <c>update_time</c>) falls in <c>[from, to)</c>.</summary>
    public long ExpectedOrders(string shopId, DateTimeOffset from, DateTimeOffset to, string timeRangeField)
    {
        ArgumentNullException.ThrowIfNull(shopId);
        return TimeFields.Problem(timeRangeField) is { } problem
            ? throw new ArgumentException(problem, nameof(timeRangeField))
            : OrdersIn(shopId, from, to, timeRangeField).Count;
    }

    /// <summary>
    /// What a pull of <paramref name="dataset"/> for <c>[from, to)</c> must bring back: orders and finance are the orders
    /// whose <paramref name="timeField"/> falls in the range (finance is one escrow detail per order), returns are those
    /// created in the range whatever the time field. The checksum sums a nested field: the items' quantities
    /// (<c>item_list[].model_quantity_purchased</c>), the escrow amounts (<c>order_income.escrow_amount</c>) or the refunds
    /// (<c>refund_amount</c>).
    /// </summary>
    /// <exception cref="ArgumentException">Not one dataset, or not a time field.</exception>
    public SimulatorExpectation Expected(string shopId, DateTimeOffset from, DateTimeOffset to, Datasets dataset, string timeField)
    {
        ArgumentNullException.ThrowIfNull(shopId);
        if (TimeFields.Problem(timeField) is { } problem)
        {
            throw new ArgumentException(problem, nameof(timeField));
        }

        if (dataset == Datasets.Returns)
        {
            var returns = _catalog.Returns(shopId, from.ToUnixTimeSeconds() - 1, to.ToUnixTimeSeconds() + 1).Where(r => Inside(r.CreateTime, from, to)).ToList();
            return new SimulatorExpectation(dataset, [.. returns.Select(r => r.ReturnSn)], returns.Sum(r => r.RefundAmount));
        }

        var orders = OrdersIn(shopId, from, to, timeField);
        return dataset switch
        {
            Datasets.Orders => new SimulatorExpectation(dataset, [.. orders.Select(o => o.OrderSn)], orders.Sum(o => _catalog.Content(shopId, o).Items.Sum(i => (decimal)i.Quantity))),
            Datasets.Finance => new SimulatorExpectation(dataset, [.. orders.Select(o => o.OrderSn)], orders.Sum(o => _catalog.Content(shopId, o).Escrow.EscrowAmount)),
            _ => throw new ArgumentException($"'{dataset}' is not one dataset.", nameof(dataset)),
        };
    }

    private List<SimulatedOrder> OrdersIn(string shopId, DateTimeOffset from, DateTimeOffset to, string timeField) =>
        [.. _catalog.Between(shopId, timeField, from.ToUnixTimeSeconds() - 1, to.ToUnixTimeSeconds() + 1).Where(o => Inside(o.TimeOf(timeField), from, to))];

    // Compared as instants, independently of the client's conversion to inclusive seconds, so the two check each other.
    private static bool Inside(long seconds, DateTimeOffset from, DateTimeOffset to) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds) is var t && t >= from && t < to;

    /// <summary>Stops listening; calls still in flight get a few seconds to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(StopTimeout, TimeProvider.System);
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>What the simulator holds of one dataset for a shop and range: the records' ids in the platform's order, and a checksum over a nested field.</summary>
public sealed record SimulatorExpectation(Datasets Dataset, IReadOnlyList<string> Ids, decimal Checksum)
{
    public long Count => Ids.Count;
}
