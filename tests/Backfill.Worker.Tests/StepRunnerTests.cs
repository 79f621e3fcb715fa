using System.Globalization;
using Backfill.Core.Data;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Platforms;
using Backfill.Simulators;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backfill.Worker.Tests;

/// <summary>Steps of a slice through its phases: a real simulator over HTTP, the adapter, and the mock cluster's topics.</summary>
[Trait("Category", "Integration")]
public sealed class StepRunnerTests : IAsyncLifetime
{
    private const string Platform = "demo";
    private const string Shop = "10001";
    private const string Token = "token-10001-secret";
    private const long PartnerId = 2_001_887;
    private const string PartnerKey = "partner-key-secret";
    private const int PageSize = 10;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private readonly MockCluster _cluster = MockCluster.Start(1);
    private readonly TopicNames _topics = new($"steps{Guid.NewGuid():N}");
    private readonly TopicPartitionOptions _partitions = new();
    private readonly OwnershipLease _lease = HeldLease.Create();
    private IProducer<string, byte[]> _producer = null!;
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;

    public async Task InitializeAsync()
    {
        _cluster.CreateTopics(_topics.Specs(_partitions));
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 5 }).Build();
        _sim = await PlatformSimulator.StartAsync(new SimulatorOptions { PartnerId = PartnerId, PartnerKey = PartnerKey, AccessTokens = { [Shop] = Token } });
        _day = Enumerable.Range(0, 365).Select(d => new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero).AddDays(d))
            .First(d => _sim.ExpectedOrders(Shop, d, d.AddDays(1)) is >= 21 and <= 50 && Expected(Datasets.Returns, d).Count is > 0 and <= PageSize);
    }

    public async Task DisposeAsync()
    {
        _producer.Dispose();
        await _sim.DisposeAsync();
        _cluster.Dispose();
    }

    private SimulatorExpectation Expected(Datasets dataset, DateTimeOffset? day = null, string timeField = TimeFields.CreateTime) =>
        _sim.Expected(Shop, day ?? _day, (day ?? _day).AddDays(1), dataset, timeField);

    private int ListPages => (int)Math.Ceiling(Expected(Datasets.Orders).Count / (double)PageSize);

    private ServiceProvider Platforms(string timeRangeField = TimeFields.CreateTime)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Platforms:{Platform}:Kind"] = "shopee",
            [$"Platforms:{Platform}:BaseUrl"] = _sim.BaseUrl.ToString(),
            [$"Platforms:{Platform}:PartnerId"] = PartnerId.ToString(CultureInfo.InvariantCulture),
            [$"Platforms:{Platform}:PartnerKey"] = PartnerKey,
            [$"Platforms:{Platform}:Shops:{Shop}:AccessToken"] = Token,
            [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = "1000",
            [$"Platforms:{Platform}:PageSize"] = PageSize.ToString(CultureInfo.InvariantCulture),
            [$"Platforms:{Platform}:TimeRangeField"] = timeRangeField,
        }).Build();
        return new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddPlatforms(configuration).BuildServiceProvider();
    }

    private ActionMessage Action(Datasets data, string? cursor = null, string? timeField = null, string job = "job-1") => new()
    {
        Job = job,
        Slice = "slice-1",
        Attempt = 1,
        Step = 0,
        Platform = Platform,
        Shop = Shop,
        From = _day,
        To = _day.AddDays(1),
        Lane = 0,
        Lanes = 1,
        Data = data,
        Cursor = cursor,
        TimeField = timeField,
    };

    private async Task<StepResult> StepAsync(ServiceProvider platforms, ActionMessage action, int pagesPerStep)
    {
        var runner = new StepRunner(_producer, _topics, new WorkerOptions { PagesPerStep = pagesPerStep }, TimeSpan.Zero);
        var result = await runner.RunAsync(action, platforms.GetRequiredService<IOrderSources>().Get(Platform), _lease, null, CancellationToken.None, CancellationToken.None);
        await result.Delivered.WaitAsync(Within);
        return result;
    }

    /// <summary>Every message on a topic, all partitions, read from the beginning up to the high watermarks.</summary>
    private List<RecordMessage> Read(string topic) => Read<RecordMessage>(topic, _partitions.Orders, m => m.Key);

    private List<T> Read<T>(string topic, int partitionCount, Func<T, string> key)
        where T : class, IMessage
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = $"reader{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        }).Build();
        var partitions = Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(topic, p)).ToList();
        var total = partitions.Sum(p => consumer.QueryWatermarkOffsets(p, Within).High.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var messages = new List<T>();
        var deadline = DateTime.UtcNow + Within;
        while (messages.Count < total && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } consumed)
            {
                var message = MessageCodec.Decode<T>(consumed.Message.Value);
                Assert.Equal(key(message), consumed.Message.Key);
                messages.Add(message);
            }
        }

        Assert.Equal(total, messages.Count);
        return messages;
    }

    [Fact]
    public async Task Step_ListRunsOut_GoesOnToTheReturnsWithinTheStep_AndCompletesTheSlice()
    {
        using var platforms = Platforms();

        var result = await StepAsync(platforms, Action(Datasets.Orders | Datasets.Returns), pagesPerStep: ListPages + 1);

        var (orders, returns) = (Expected(Datasets.Orders), Expected(Datasets.Returns));
        Assert.Equal((ListPages + 1, false, null), (result.Pages, result.More, result.Cursor));
        Assert.Equal(orders.Count, result.Orders);
        Assert.Equal(new Dictionary<string, int> { ["orders"] = (int)orders.Count, ["returns"] = (int)returns.Count }, result.RecordsByData);
        Assert.Equal(new Dictionary<string, int> { ["orders"] = ListPages * 2, ["returns"] = 1 }, result.CallsByData);
        Assert.Equal(ListPages * 2 + 1, result.Calls);
        var onOrders = Read(_topics.Orders);
        Assert.Equal(orders.Ids.Order(StringComparer.Ordinal), onOrders.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(onOrders, m =>
        {
            Assert.Equal((Datasets.Orders, Platform, Shop, "job-1", "slice-1", TimeFields.CreateTime), (m.Dataset, m.Platform, m.Shop, m.Job, m.Slice, m.TimeField));
            Assert.Equal($"{Platform}:{Shop}:{m.Id}", m.Key);
            Assert.Contains("\"item_list\"", System.Text.Encoding.UTF8.GetString(m.RecordJson()), StringComparison.Ordinal);
        });
        Assert.Equal(returns.Ids.Order(StringComparer.Ordinal), Read(_topics.Returns).Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Empty(Read(_topics.Finance));
    }

    [Fact]
    public async Task Step_EndingWithTheList_PointsAtTheReturnsFirstPage_WhichTheNextStepTakes()
    {
        using var platforms = Platforms();

        var first = await StepAsync(platforms, Action(Datasets.Orders | Datasets.Returns), pagesPerStep: ListPages);
        var second = await StepAsync(platforms, Action(Datasets.Orders | Datasets.Returns, first.Cursor), pagesPerStep: ListPages);

        Assert.Equal((ListPages, true, "returns|"), (first.Pages, first.More, first.Cursor));
        Assert.False(first.RecordsByData.ContainsKey("returns"));
        Assert.Equal((1, false, null), (second.Pages, second.More, second.Cursor));
        Assert.Equal(new Dictionary<string, int> { ["returns"] = (int)Expected(Datasets.Returns).Count }, second.RecordsByData);
        Assert.Equal(new Dictionary<string, int> { ["returns"] = 1 }, second.CallsByData);
    }

    [Fact]
    public async Task Steps_OnePageEach_CarryTheListsCursor_AndPullEveryOrderOnce()
    {
        using var platforms = Platforms();
        var cursors = new List<string?>();
        string? cursor = null;
        for (var step = 0; step < 20; step++)
        {
            var result = await StepAsync(platforms, Action(Datasets.Orders, cursor), pagesPerStep: 1);
            cursors.Add(result.Cursor);
            cursor = result.Cursor;
            if (!result.More)
            {
                break;
            }
        }

        Assert.Equal(ListPages, cursors.Count);
        Assert.Null(cursors[^1]);
        Assert.All(cursors[..^1], c => Assert.Equal(SlicePhase.List, SliceCursor.Parse(c, Datasets.Orders).Phase));
        Assert.All(cursors[..^1], c => Assert.NotNull(SliceCursor.Parse(c, Datasets.Orders).Page));
        Assert.Equal(Expected(Datasets.Orders).Ids.Order(StringComparer.Ordinal), Read(_topics.Orders).Select(m => m.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Step_TimeField_IsTheActionsElseThePlatformsConfigured()
    {
        using var platforms = Platforms(timeRangeField: TimeFields.UpdateTime);

        var byDefault = await StepAsync(platforms, Action(Datasets.Orders), pagesPerStep: 20);
        await StepAsync(platforms, Action(Datasets.Orders, timeField: TimeFields.CreateTime, job: "job-2"), pagesPerStep: 20);
        var messages = Read(_topics.Orders);
        var (defaulted, named) = (messages.Where(m => m.Job == "job-1").ToList(), messages.Where(m => m.Job == "job-2").ToList());

        Assert.False(byDefault.More);
        Assert.Equal(Expected(Datasets.Orders, timeField: TimeFields.UpdateTime).Ids.Order(StringComparer.Ordinal), defaulted.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(defaulted, m => Assert.Equal(TimeFields.UpdateTime, m.TimeField));
        Assert.Equal(Expected(Datasets.Orders).Ids.Order(StringComparer.Ordinal), named.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(named, m => Assert.Equal(TimeFields.CreateTime, m.TimeField));
    }

    [Fact]
    public async Task Step_FinanceOnly_RecordsGoToTheFinanceTopic_AndItsListCallsCountAsFinance()
    {
        using var platforms = Platforms();

        var result = await StepAsync(platforms, Action(Datasets.Finance), pagesPerStep: 20);

        var finance = Expected(Datasets.Finance);
        Assert.False(result.More);
        Assert.Equal(0, result.Orders);
        Assert.Equal(new Dictionary<string, int> { ["finance"] = ListPages + (int)finance.Count }, result.CallsByData);
        var messages = Read(_topics.Finance);
        Assert.Equal(finance.Ids.Order(StringComparer.Ordinal), messages.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal((Datasets.Finance, (DateTimeOffset?)null), (m.Dataset, m.CreateTime)));
        Assert.Empty(Read(_topics.Orders));
    }

    [Fact]
    public async Task Handler_StepDone_ReportsCallsAndRecordsByDataset_AndTheNextStepCarriesTheCursor()
    {
        using var platforms = Platforms();
        using var connection = KafkaConnection.Open(new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, Namespace = _topics.Namespace });
        var counters = new KafkaCounters();
        var cancellations = new JobCancellations();
        cancellations.MarkReady();
        var sources = platforms.GetRequiredService<IOrderSources>();
        var runner = new StepRunner(_producer, _topics, new WorkerOptions { PagesPerStep = ListPages }, TimeSpan.Zero);
        var handler = new ActionHandler(
            _producer, connection, sources, runner, new StepLedger(), cancellations, new DeadLetters(_producer, connection, counters, TimeProvider.System),
            new WorkerStats(), counters, "process", TimeProvider.System, NullLogger<ActionHandler>.Instance);
        var action = Action(Datasets.Orders | Datasets.Finance | Datasets.Returns) with { Partition = 0 };
        var consumed = new ConsumeResult<string, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(_topics.Actions, 0, 0),
            Message = new Message<string, byte[]> { Key = action.Key, Value = MessageCodec.Encode(action) },
        };

        await handler.HandleAsync(consumed, "worker", _lease, () => { }, null, CancellationToken.None, CancellationToken.None).WaitAsync(Within);

        var done = Assert.Single(Read<ProgressMessage>(_topics.Progress, _partitions.Progress, m => m.Job), m => m.Kind == ProgressKind.StepDone);
        var orders = (int)Expected(Datasets.Orders).Count;
        Assert.Equal((ListPages, orders, "returns|", true), (done.Pages, done.Orders, done.Cursor, done.More));
        Assert.Equal(new Dictionary<string, int> { ["orders"] = orders, ["finance"] = orders }, done.RecordsByData);
        Assert.Equal(new Dictionary<string, int> { ["orders"] = ListPages * 2, ["finance"] = orders }, done.CallsByData);
        Assert.Equal(ListPages * 2 + orders, done.Calls);
        var next = Assert.Single(Read<ActionMessage>(_topics.Actions, _partitions.Actions, m => m.Key));
        Assert.Equal((1, "returns|", action.Data), (next.Step, next.Cursor, next.Data));
    }
}
