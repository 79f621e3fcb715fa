using BenchmarkDotNet.Attributes;
using Backfill.Messaging.Contracts;

namespace Backfill.Benchmarks.Micro;

/// <summary>The JSON contracts on the hot path: an action per step, an order per order.</summary>
[MemoryDiagnoser]
public class ContractBenchmarks
{
    private static readonly DateTimeOffset Day = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ActionMessage _action = new()
    {
        Job = "sim-20240101-20240201-abcdef",
        Slice = "sim-20240101-20240201-abcdef/100042/20240101",
        Attempt = 1,
        Step = 2,
        Platform = "sim",
        Shop = "100042",
        From = Day,
        To = Day.AddDays(1),
        Cursor = "page-3",
        Lane = 3,
        Lanes = 8,
    };

    private readonly OrderMessage _order = new()
    {
        Platform = "sim",
        Shop = "100042",
        OrderSn = "240101ABCDEF42",
        Status = "COMPLETED",
        CreateTime = Day.AddHours(3),
        UpdateTime = Day.AddHours(5),
        TotalAmount = 123.45m,
        Currency = "SGD",
        Job = "sim-20240101-20240201-abcdef",
        Slice = "sim-20240101-20240201-abcdef/100042/20240101",
    };

    private byte[] _actionBytes = [];
    private byte[] _orderBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _actionBytes = MessageCodec.Encode(_action);
        _orderBytes = MessageCodec.Encode(_order);
    }

    [Benchmark]
    public byte[] EncodeAction() => MessageCodec.Encode(_action);

    [Benchmark]
    public ActionMessage DecodeAction() => MessageCodec.Decode<ActionMessage>(_actionBytes);

    [Benchmark]
    public byte[] EncodeOrder() => MessageCodec.Encode(_order);

    [Benchmark]
    public OrderMessage DecodeOrder() => MessageCodec.Decode<OrderMessage>(_orderBytes);
}
