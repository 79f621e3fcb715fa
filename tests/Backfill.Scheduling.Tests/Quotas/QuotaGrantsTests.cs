using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling.Quotas;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Quotas;

/// <summary>The scheduler's quota account on a real LiteDB file, its grants on the mock cluster's control topic.</summary>
[Trait("Category", "Integration")]
public sealed class QuotaGrantsTests : IAsyncLifetime
{
    private const string Platform = "lz";

    // 100 calls a minute at the default share: 80 for backfills.
    private static readonly DateTimeOffset Start = new(2026, 9, 15, 4, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-quota-").FullName;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly MockCluster _cluster = MockCluster.Start();
    private readonly KafkaConnection _connection;
    private readonly KafkaClients _clients;
    private readonly BackfillDatabase _db;
    private readonly PlatformBoard _board;
    private readonly IOptionsMonitor<PlatformOptions> _options;
    private IProducer<string, byte[]> _producer = null!;

    public QuotaGrantsTests()
    {
        var ns = $"quo{Guid.NewGuid():N}"[..12];
        _cluster.CreateTopics(new TopicNames(ns).Specs(new TopicPartitionOptions()));
        _connection = KafkaConnection.Open(new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, Namespace = ns });
        _clients = new KafkaClients(_connection, new KafkaCounters(), NullLoggerFactory.Instance);
        _db = new BackfillDatabase(Path.Combine(_dir, "backfill.db"));
        _board = new PlatformBoard(_time);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Platforms:{Platform}:Kind"] = "lazada",
            [$"Platforms:{Platform}:BaseUrl"] = "http://127.0.0.1:1/rest",
            [$"Platforms:{Platform}:AppKey"] = "100001",
            [$"Platforms:{Platform}:AppSecret"] = "s",
            [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = "10",
            [$"Platforms:{Platform}:RateLimit:Quotas:0:Calls"] = "100",
            [$"Platforms:{Platform}:RateLimit:Quotas:0:Period"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddPlatformOptions(configuration);
        _options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<PlatformOptions>>();
    }

    public Task InitializeAsync()
    {
        _producer = _clients.CreateProducer("quota-test");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _producer.Dispose();
        _db.Dispose();
        _connection.Dispose();
        _cluster.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private QuotaGrants Grants() => new(_options, new QuotaStore(_db), _producer, _connection, _board, _time, NullLogger<QuotaGrants>.Instance);

    [Fact]
    public async Task Asks_AreGrantedUpToTheShare_AddedUpPerProcess_AndTheSpentShareIsAnnouncedUntilTheReset()
    {
        var grants = Grants();

        grants.Ask(Platform, "w1", 50);
        grants.Ask(Platform, "w2", 50);
        grants.Ask(Platform, "w1", 50);
        _producer.Flush(TimeSpan.FromSeconds(10));

        var messages = await ControlAsync(4);
        Assert.Equal(
            [("w1", 50L), ("w2", 80L - 50), ("w1", 50L)],
            messages.Where(m => m.Kind == ControlKind.QuotaGrant).Select(m => (m.Process!, m.Calls!.Value)));
        Assert.All(messages.Where(m => m.Kind == ControlKind.QuotaGrant), m => Assert.Equal(Start.AddMinutes(1), m.Until));
        var spent = Assert.Single(messages, m => m.Kind == ControlKind.QuotaSpent);
        Assert.Equal((Start.AddMinutes(1), (string?)null), (spent.Until, spent.Process));
        Assert.Equal(Start.AddMinutes(1), _board.QuotaSpentUntil(Platform));
        Assert.Equal(80, grants.Use(Platform).Single().Granted);
    }

    [Fact]
    public void ARestartedScheduler_GrantsNoCallTwice_AndTheNextWindowStartsAfresh()
    {
        Grants().Ask(Platform, "w1", 70);

        var restarted = Grants();
        restarted.Ask(Platform, "w2", 70);

        Assert.Equal(80, restarted.Use(Platform).Single().Granted);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, restarted.Use(Platform).Single().Granted);
    }

    [Fact]
    public void AnAccountThatCannotBeRead_GrantsNothingUntilTheWindowEnds()
    {
        new QuotaStore(_db).Save(Platform, "{not json");
        var grants = Grants();

        grants.Ask(Platform, "w1", 10);
        Assert.Equal(0, grants.Use(Platform).Single().Granted);

        _time.Advance(TimeSpan.FromMinutes(1));
        grants.Ask(Platform, "w1", 10);
        Assert.Equal(10, grants.Use(Platform).Single().Granted);
    }

    [Fact]
    public void AnAskForAPlatformThisSchedulerDoesNotHave_IsIgnored()
    {
        var grants = Grants();

        grants.Ask("elsewhere", "w1", 10);

        Assert.Empty(grants.Use("elsewhere"));
    }

    [Fact]
    public async Task TheSchedulersOwnCall_TakesOneFromTheSameAccount()
    {
        var grants = Grants();

        await grants.ReserveAsync(Platform, CancellationToken.None);

        Assert.Equal(1, grants.Use(Platform).Single().Granted);
    }

    [Fact]
    public void APlatformsRefusal_BlocksGrantsUntilItsReset()
    {
        var grants = Grants();

        grants.Refused(Platform, Start.AddSeconds(30));
        grants.Ask(Platform, "w1", 10);

        Assert.Equal(0, grants.Use(Platform).Single().Granted);
        Assert.Equal(Start.AddSeconds(30), _board.QuotaSpentUntil(Platform));
    }

    private async Task<List<ControlMessage>> ControlAsync(int atLeast)
    {
        var topic = _connection.Topics.Control;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Watermarks.High(_clients, topic).Values.Sum() < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var high = Watermarks.High(_clients, topic);
        using var consumer = _clients.ConsumerBuilder($"read-{Guid.NewGuid():N}", "read").Build();
        consumer.Assign(high.Keys.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var messages = new List<ControlMessage>();
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
}
