using System.Globalization;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Platforms.Tokens;
using Backfill.Simulators.Lazada;

namespace Backfill.Platforms.Lazada.Tests;

/// <summary>The Lazada adapter wired through AddPlatforms as a host wires it, against the Lazada simulator over HTTP.</summary>
[Trait("Category", "Integration")]
public sealed class LazadaAdapterTests : IAsyncLifetime
{
    private const string Seller = "seller-a";
    private const string Token = "token-seller-a-secret";
    private const string Refresh = "refresh-seller-a-secret";
    private const string AppSecret = "lazada-app-secret";
    private static readonly TimeSpan Plus8 = TimeSpan.FromHours(8);

    private readonly List<LazadaSimulator> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var simulator in _started)
        {
            await simulator.DisposeAsync();
        }
    }

    private async Task<LazadaSimulator> StartAsync(Action<LazadaSimulatorOptions>? configure = null)
    {
        var options = new LazadaSimulatorOptions
        {
            AppKey = 100_001,
            AppSecret = AppSecret,
            AccessTokens = { [Seller] = Token, ["seller-b"] = "token-seller-b-secret" },
            RefreshTokens = { [Seller] = Refresh },
            ShopVolume = { [Seller] = 30 },
        };
        configure?.Invoke(options);
        var simulator = await LazadaSimulator.StartAsync(options);
        _started.Add(simulator);
        return simulator;
    }

    private static PlatformHarness Harness(LazadaSimulator simulator, Action<Dictionary<string, string?>>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            [PlatformHarness.Key("Kind")] = "lazada",
            [PlatformHarness.Key("BaseUrl")] = simulator.BaseUrl.ToString(),
            [PlatformHarness.Key("AppKey")] = "100001",
            [PlatformHarness.Key("AppSecret")] = AppSecret,
            [PlatformHarness.Key($"Shops:{Seller}:AccessToken")] = Token,
            [PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "1000",
            [PlatformHarness.Key("Retry:BaseDelay")] = "00:00:00.005",
            [PlatformHarness.Key("Retry:MaxDelay")] = "00:00:00.020",
        };
        configure?.Invoke(values);
        return PlatformHarness.Create(values);
    }

    private static DateTimeOffset DayWith(LazadaSimulator simulator, Func<int, bool> wanted) =>
        Enumerable.Range(0, 90).Select(d => new DateOnly(2026, 8, 1).AddDays(d))
            .Where(day => wanted(simulator.OrdersOn(Seller, day)))
            .Select(day => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Plus8))
            .First();

    private static PageRequest Day(DateTimeOffset day, TimeSpan? tokenWait = null) =>
        new(Seller, day, day.AddDays(1), PlatformHarness.OrdersFirstPage) { TokenWait = tokenWait ?? TimeSpan.Zero };

    private static decimal ItemPrices(PlatformRecord record) =>
        JsonDocument.Parse(record.Json).RootElement.GetProperty("order_items").EnumerateArray().Sum(i => i.GetProperty("item_price").GetDecimal());

    [Fact]
    public async Task ADayOfMoreThan5100Orders_IsReadWhole_PastTheOffsetCap_NoneLostNoneTwice()
    {
        var simulator = await StartAsync();
        var day = DayWith(simulator, n => n > 5_100);
        using var harness = Harness(simulator);

        var records = new List<PlatformRecord>();
        var request = Day(day);
        var pages = 0;
        while (true)
        {
            var page = await harness.Source.FetchAsync(request, CancellationToken.None);
            records.AddRange(page.Records);
            pages++;
            Assert.True(pages < 1_000, "the slice did not end");
            if (!page.More)
            {
                break;
            }

            request = request with { Cursor = request.Cursor with { Page = page.NextPage } };
        }

        var expected = simulator.Expected(Seller, day, day.AddDays(1));
        Assert.True(expected.Count > 5_100, $"{expected.Count} orders");
        Assert.Equal(expected.Ids, records.Select(r => r.Id));
        Assert.Equal(expected.Checksum, records.Sum(ItemPrices));
        Assert.Equal(0, simulator.Stats.Errors);

        // Continued from a later created_after with offset 0 at least once; never asked past the cap.
        var lists = simulator.Calls.Snapshot().Where(c => c.Path.EndsWith("/orders/get", StringComparison.Ordinal)).ToList();
        Assert.True(lists.Select(c => c.Request.Split('/')[0]).Distinct().Count() > 1);
        Assert.All(records, r => Assert.Equal(Datasets.Orders, r.Dataset));
        var first = JsonDocument.Parse(records[0].Json).RootElement;
        Assert.Equal(records[0].Id, first.GetProperty("order_id").GetRawText());
        Assert.True(ulong.Parse(records[0].Id, CultureInfo.InvariantCulture) > (1UL << 53));
        Assert.Equal(DateTimeOffset.ParseExact(first.GetProperty("created_at").GetString()!, "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture), records[0].CreateTime);
    }

    [Fact]
    public async Task APage_IsOneListCallAndItsItemsInBatchesOf50_EachRecordTheOrderAsListedWithItsItems()
    {
        var simulator = await StartAsync();
        var day = DayWith(simulator, n => n is > 100 and < 5_000);
        using var harness = Harness(simulator);

        var page = await harness.Source.FetchAsync(Day(day), CancellationToken.None);

        Assert.Equal(100, page.Records.Count);
        Assert.True(page.More);
        Assert.Equal(new Dictionary<Datasets, int> { [Datasets.Orders] = 3 }, page.CallsByData);
        Assert.Equal(simulator.Expected(Seller, day, day.AddDays(1)).Ids.Take(100), page.Records.Select(r => r.Id));
        Assert.All(page.Records, r =>
        {
            var order = JsonDocument.Parse(r.Json).RootElement;
            Assert.Equal(order.GetProperty("items_count").GetInt32(), order.GetProperty("order_items").GetArrayLength());
            Assert.True(order.TryGetProperty("address_shipping", out _));
        });
    }

    [Fact]
    public async Task AThrottle_IsAThrottle_ForTheBanItNames()
    {
        var simulator = await StartAsync(o => o.PermitsPerSecond = 1);
        var day = DayWith(simulator, n => n > 100);
        using var harness = Harness(simulator);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Day(day), CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Throttle, "ApiCallLimit", TimeSpan.FromSeconds(1)), (failure.Kind, failure.Code, failure.RetryAfter));
        Assert.True(simulator.Stats.Refused >= 1);
        Assert.Equal(0, simulator.Stats.QuotaRefused);
        Assert.DoesNotContain(Token, failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AppSecret, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQuotaRefusal_IsAQuotaFailure_UntilTheResetThePlatformNames()
    {
        var simulator = await StartAsync(o => o.Quotas = [new LazadaQuota { Calls = 2, Period = TimeSpan.FromDays(1), ResetTimeZone = "UTC" }]);
        var day = DayWith(simulator, n => n > 100);
        using var harness = Harness(simulator);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Day(day), CancellationToken.None));

        var now = TimeProvider.System.GetUtcNow();
        var untilMidnight = now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime;
        Assert.Equal((PlatformErrorKind.Quota, "AppCallLimit"), (failure.Kind, failure.Code));
        Assert.InRange(failure.RetryAfter!.Value, untilMidnight - TimeSpan.FromSeconds(30), untilMidnight + TimeSpan.FromSeconds(2));
        Assert.Equal(1, simulator.Stats.QuotaRefused);
        Assert.Equal(2, simulator.Stats.Accepted);
    }

    [Fact]
    public async Task AnExpiredToken_WaitsForTheRefreshedOne_AndTheRefreshKeepsTheRefreshToken()
    {
        var simulator = await StartAsync();
        var day = DayWith(simulator, n => n > 100);
        using var harness = Harness(simulator);
        var announced = new TaskCompletionSource<(string Platform, string Shop, long Version)>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sources.TokenRefused += (platform, shop, version) => announced.TrySetResult((platform, shop, version));
        simulator.ExpireTokens(Seller);

        var fetching = harness.Source.FetchAsync(Day(day, TimeSpan.FromMinutes(1)), CancellationToken.None);
        Assert.Equal((PlatformHarness.Platform, Seller, 0L), await announced.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        var refreshed = await harness.Refresh.RefreshAsync(PlatformHarness.Platform, Seller, Refresh, CancellationToken.None);
        harness.Tokens.Offer(PlatformHarness.Platform, Seller, new ShopToken(refreshed.AccessToken, 1, refreshed.AccessExpiresAt));
        var page = await fetching.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(simulator.Expected(Seller, day, day.AddDays(1)).Ids.Take(100), page.Records.Select(r => r.Id));
        Assert.Equal(Refresh, refreshed.RefreshToken);
        Assert.NotEqual(Token, refreshed.AccessToken);
        Assert.True(refreshed.AccessExpiresAt > TimeProvider.System.GetUtcNow().AddDays(6));
        Assert.NotNull(refreshed.RefreshExpiresAt);
        Assert.Equal((1, 1), (simulator.Stats.Refreshes, simulator.Stats.ExpiredAnswers));
    }

    [Fact]
    public async Task ARefusedRefreshToken_IsPermanent_AndNamesNoSecret()
    {
        var simulator = await StartAsync();
        using var harness = Harness(simulator);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Refresh.RefreshAsync(PlatformHarness.Platform, Seller, "revoked-refresh-secret", CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Permanent, "IllegalRefreshToken"), (failure.Kind, failure.Code));
        Assert.DoesNotContain("revoked-refresh-secret", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AppSecret, failure.ToString(), StringComparison.Ordinal);
    }
}
