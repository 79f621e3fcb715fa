using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Platforms;
using Backfill.Platforms.Tokens;
using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Tests.Alerts;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Shops;

/// <summary>
/// The refresher on a fake clock, with a real LiteDB file and the control topic on the mock cluster; the platform's refresh
/// is a scripted stand-in at its interface.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TokenRefresherTests : IAsyncLifetime
{
    private const string Platform = "demo";
    private const string Shop = "10001";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-refresher-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly ScriptedRefresh _platform;
    private readonly ShopTokenSeal _seal = ShopTokenSeal.From(SecretBox.NewKey());
    private readonly TokenRefreshCounters _counters = new();
    private readonly TokenRefreshQueue _requests = new();
    private readonly RecordingAlerts _alerts = new();
    private readonly MockCluster _cluster = MockCluster.Start();
    private readonly KafkaConnection _connection;
    private readonly KafkaClients _clients;
    private readonly BackfillDatabase _db;
    private readonly ShopStore _store;
    private IProducer<string, byte[]> _producer = null!;
    private TokenRefresher? _refresher;

    public TokenRefresherTests()
    {
        _platform = new ScriptedRefresh(_time);
        var ns = $"tok{Guid.NewGuid():N}"[..12];
        _cluster.CreateTopics(new TopicNames(ns).Specs(new TopicPartitionOptions()));
        _connection = KafkaConnection.Open(new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, Namespace = ns });
        _clients = new KafkaClients(_connection, new KafkaCounters(), NullLoggerFactory.Instance);
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _store = new ShopStore(_db);
    }

    public Task InitializeAsync()
    {
        _producer = _clients.CreateProducer("refresher-test");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_refresher is not null)
        {
            await _refresher.StopAsync(CancellationToken.None);
            _refresher.Dispose();
        }

        _producer.Dispose();
        _db.Dispose();
        _connection.Dispose();
        _cluster.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<TokenRefresher> StartAsync(ShopTokenSeal? seal = null, IProducer<string, byte[]>? producer = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Platforms:{Platform}:Shops:{Shop}:AccessToken"] = "configured-access",
            [$"Platforms:{Platform}:Shops:{Shop}:RefreshToken"] = "configured-refresh",
            [$"Platforms:{Platform}:Shops:10002:AccessToken"] = "configured-only",
        }).Build();
        var announcer = new AccessTokenAnnouncer(producer ?? _producer, _connection);
        var registry = new ShopRegistry(_store, new JobStore(_db), announcer, seal ?? _seal, configuration, _time, NullLogger<ShopRegistry>.Instance, _requests, _alerts);
        await registry.StartAsync(CancellationToken.None);
        _refresher = new TokenRefresher(
            _store, registry, _requests, _platform, seal ?? _seal, announcer, new PlatformBoard(_time), _counters, _time, NullLogger<TokenRefresher>.Instance, _alerts);
        await _refresher.StartAsync(CancellationToken.None);
        return _refresher;
    }

    private ShopRecord Stored() => _store.Find(Platform, Shop)!;

    [Fact]
    public async Task AtStart_AShopWithARefreshTokenAndNoExpiry_IsRefreshed_StoredSealed_ThenAnnounced()
    {
        _platform.Answer(TimeSpan.FromHours(4));

        await StartAsync();
        await Until(() => _counters.Ok == 1);

        var shop = Stored();
        Assert.Equal(["configured-refresh"], _platform.Used);
        Assert.Equal((1L, ShopState.Active, "ok", false), (shop.TokenVersion, shop.State, shop.LastRefreshOutcome, shop.LastRefreshFailed));
        Assert.Equal("access-1", _seal.OpenAccess(Platform, Shop, 1, shop.AccessToken!));
        Assert.Equal("refresh-1", _seal.OpenRefresh(Platform, Shop, shop.RefreshToken!));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(4), shop.AccessExpiresAt);
        Assert.Equal(0, _store.Find(Platform, "10002")!.TokenVersion);

        var token = Assert.Single(await ControlAsync(1), m => m.Kind == ControlKind.Token);
        Assert.Equal(($"token:{Platform}:{Shop}", 1L, shop.AccessExpiresAt), (token.Key, token.TokenVersion, token.Until));
        Assert.Equal("access-1", _seal.OpenAccess(Platform, Shop, 1, Convert.FromBase64String(token.Sealed!)));
    }

    [Fact]
    public async Task AheadOfExpiry_TheNextRefreshComesWhenAQuarterOfTheLifeIsLeft_WithTheRotatedRefreshToken()
    {
        _platform.Answer(TimeSpan.FromSeconds(100));
        _platform.Answer(TimeSpan.FromSeconds(100));
        await StartAsync();
        await Until(() => _counters.Ok == 1);

        _time.Advance(TimeSpan.FromMilliseconds(74_999));
        await Task.Delay(200);
        Assert.Single(_platform.Used);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => _counters.Ok == 2);

        Assert.Equal(["configured-refresh", "refresh-1"], _platform.Used);
        Assert.Equal(2, Stored().TokenVersion);
        Assert.Equal([1L, 2L], (await ControlAsync(2)).Select(m => m.TokenVersion!.Value));
    }

    [Fact]
    public async Task ARefusedRefresh_PutsTheShopInNeedsAuthorization_AndIsNotTriedAgain()
    {
        _platform.Fail(PlatformErrorKind.Permanent, "Invalid refresh_token. (HTTP 403)");

        await StartAsync();
        await Until(() => _counters.Refused == 1);
        _time.Advance(TimeSpan.FromHours(1));
        await Task.Delay(200);

        var shop = Stored();
        Assert.Single(_platform.Used);
        Assert.Equal((ShopState.NeedsAuthorization, true, 0L), (shop.State, shop.LastRefreshFailed, shop.TokenVersion));
        Assert.Contains("Invalid refresh_token.", shop.LastRefreshOutcome, StringComparison.Ordinal);
        Assert.Equal("configured-refresh", _seal.OpenRefresh(Platform, Shop, shop.RefreshToken!));
        Assert.DoesNotContain(await ControlAsync(0), m => m.Kind == ControlKind.Token);
        var alert = Assert.Single(_alerts.Raised);
        Assert.Equal((AlertEvents.ShopNeedsAuthorization, $"shop.needs_authorization:{Platform}:{Shop}", Platform, Shop), (alert.Event, alert.Key, alert.Platform, alert.Shop));
        Assert.Contains("Invalid refresh_token.", alert.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshesFailingUntilAnEighthOfTheAccessTokensLifeIsLeft_RaiseItsExpiry_WithTheSameKeyEachPass()
    {
        _platform.Answer(TimeSpan.FromSeconds(100));
        foreach (var _ in Enumerable.Range(0, 20))
        {
            _platform.Fail(PlatformErrorKind.Transient, "timeout");
        }

        await StartAsync();
        await Until(() => _counters.Ok == 1);
        var expires = Stored().AccessExpiresAt!.Value;
        _time.Advance(TimeSpan.FromSeconds(87));
        await Until(() => _counters.Failed >= 1);
        await Task.Delay(100);
        Assert.Empty(_alerts.Raised);

        // 12.5 s of 100 left, refreshes failing: each pass of the refresher raises it, under one key.
        _time.Advance(TimeSpan.FromSeconds(1));
        await Until(() => _alerts.Raised.Count >= 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Until(() => _alerts.Raised.Count >= 2);

        Assert.All(_alerts.Raised, a => Assert.Equal((AlertEvents.ShopTokenExpiring, "access", expires), (a.Event, a.Subject!, a.Until!.Value)));
        Assert.Single(_alerts.Raised.Select(a => a.Key).Distinct());
        Assert.Equal("it lapses in 12 s and no refresh has replaced it yet (the last refresh failed: demo: timeout: timeout)", _alerts.Raised[0].Error);
    }

    [Fact]
    public async Task AFailedRefresh_IsTriedAgainAfterABackOff_ThatGrows()
    {
        _platform.Fail(PlatformErrorKind.Transient, "timeout");
        _platform.Fail(PlatformErrorKind.Throttle, "too_many_request", retryAfter: TimeSpan.FromSeconds(1));
        _platform.Answer(TimeSpan.FromHours(4));

        await StartAsync();
        await Until(() => _counters.Failed == 1);
        Assert.True(Stored().LastRefreshFailed);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(200);
        Assert.Single(_platform.Used);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => _counters.Failed == 2);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(200);
        Assert.Equal(2, _platform.Used.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => _counters.Ok == 1);

        Assert.Equal(["configured-refresh", "configured-refresh", "configured-refresh"], _platform.Used);
        Assert.Equal((1L, false, "ok"), (Stored().TokenVersion, Stored().LastRefreshFailed, Stored().LastRefreshOutcome));
    }

    [Fact]
    public async Task AWorkersRefusalOfTheCurrentVersion_RefreshesAtOnce_OfAnOlderOne_Nothing()
    {
        _platform.Answer(TimeSpan.FromHours(4));
        _platform.Answer(TimeSpan.FromHours(4));
        var refresher = await StartAsync();
        await Until(() => _counters.Ok == 1);

        _requests.RequestRefresh(Platform, Shop, 0);
        _requests.RequestRefresh("DEMO", Shop, 1);
        await Until(() => _counters.Ok == 2);
        _requests.RequestRefresh(Platform, Shop, 1);
        await Task.Delay(200);

        Assert.Equal(2, _platform.Used.Count);
        Assert.Equal(2, Stored().TokenVersion);
    }

    [Fact]
    public async Task TheRotatedRefreshToken_IsStoredEvenWhileKafkaRefusesTheAnnouncement_WhichFollowsOnceItCan()
    {
        _platform.Answer(TimeSpan.FromHours(4));
        using var impatient = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers, Acks = Acks.All, MessageTimeoutMs = 500, RequestTimeoutMs = 400,
        }).Build();
        _cluster.SetTopicError(_connection.Topics.Control, ErrorCode.TopicAuthorizationFailed);

        await StartAsync(producer: impatient);
        await Until(() => _counters.Ok == 1);
        Assert.Equal("refresh-1", _seal.OpenRefresh(Platform, Shop, Stored().RefreshToken!));
        _cluster.SetTopicError(_connection.Topics.Control, ErrorCode.NoError);
        await Until(() =>
        {
            _time.Advance(TokenRefresher.AnnounceRetry);
            return Watermarks.High(_clients, _connection.Topics.Control).Values.Sum() > 0;
        });

        Assert.Equal([1L], (await ControlAsync(1)).Select(m => m.TokenVersion!.Value));
        Assert.Single(_platform.Used);
    }

    [Fact]
    public async Task AStoredTokenNotYetAnnounced_IsAnnouncedAtStart()
    {
        _store.Save(new ShopRecord
        {
            Id = ShopRecord.MakeId(Platform, Shop), Platform = Platform, Shop = Shop, State = ShopState.Active, TokenVersion = 4,
            AccessToken = _seal.SealAccess(Platform, Shop, 4, "access-4"), AccessExpiresAt = _time.GetUtcNow().AddHours(3), LastRefreshAt = _time.GetUtcNow().AddHours(-1),
            RefreshToken = _seal.SealRefresh(Platform, Shop, "refresh-4"), UpdatedAt = _time.GetUtcNow(),
        });

        await StartAsync();

        var token = Assert.Single(await ControlAsync(1));
        Assert.Equal(4, token.TokenVersion);
        Assert.Empty(_platform.Used);
    }

    [Fact]
    public async Task WithoutAKey_NothingIsRefreshed_OrStored()
    {
        var refresher = await StartAsync(ShopTokenSeal.None);
        await refresher.ExecuteTask!.WaitAsync(Soon);
        _requests.RequestRefresh(Platform, Shop, 0);

        Assert.Empty(_platform.Used);
        Assert.All(_store.All(), s => Assert.Equal((0L, null, null), (s.TokenVersion, s.AccessToken, s.RefreshToken)));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    /// <summary>The control topic's messages, once it holds at least <paramref name="atLeast"/>.</summary>
    private async Task<List<ControlMessage>> ControlAsync(int atLeast)
    {
        var topic = _connection.Topics.Control;
        await Until(() => Watermarks.High(_clients, topic).Values.Sum() >= atLeast);
        var high = Watermarks.High(_clients, topic);
        using var consumer = _clients.ConsumerBuilder($"read-{Guid.NewGuid():N}", "read").Build();
        consumer.Assign(high.Keys.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var messages = new List<ControlMessage>();
        var deadline = DateTime.UtcNow + Soon;
        while (messages.Count < high.Values.Sum() && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: { } message })
            {
                messages.Add(MessageCodec.Decode<ControlMessage>(message.Value));
            }
        }

        consumer.Close();
        return messages;
    }

    /// <summary>The platform's refresh, scripted: each call takes the next answer and records the refresh token it was given.</summary>
    private sealed class ScriptedRefresh(TimeProvider time) : ITokenRefresh
    {
        private readonly Queue<Func<RefreshedTokens>> _answers = new();
        private readonly List<string> _used = [];

        public IReadOnlyCollection<string> Platforms { get; } = [Platform];

        public IReadOnlyList<string> Used
        {
            get
            {
                lock (_used)
                {
                    return [.. _used];
                }
            }
        }

        private int _issued;

        public void Answer(TimeSpan life) => _answers.Enqueue(() =>
        {
            var issued = ++_issued;
            return new RefreshedTokens($"access-{issued}", time.GetUtcNow() + life, $"refresh-{issued}", time.GetUtcNow().AddDays(30));
        });

        public void Fail(PlatformErrorKind kind, string message, TimeSpan? retryAfter = null) =>
            _answers.Enqueue(() => throw new PlatformException(Platform, kind, kind == PlatformErrorKind.Permanent ? "error_auth" : "timeout", message, retryAfter));

        public Task<RefreshedTokens> RefreshAsync(string platform, string shop, string refreshToken, CancellationToken cancellationToken)
        {
            lock (_used)
            {
                _used.Add(refreshToken);
            }

            return Task.FromResult(_answers.Dequeue()());
        }
    }
}
