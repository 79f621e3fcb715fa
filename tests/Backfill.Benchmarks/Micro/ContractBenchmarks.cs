using Backfill.Core.Data;
using Backfill.Messaging.Contracts;
using BenchmarkDotNet.Attributes;

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

    // A whole order as get_order_detail answers it: a few hundred bytes with two items.
    private readonly RecordMessage _order = RecordMessage.Of(
        """{"order_sn":"240101ABCDEF42","region":"SG","currency":"SGD","cod":false,"order_status":"COMPLETED","create_time":1704078000,"update_time":1704085200,"days_to_ship":3,"ship_by_date":1704337200,"total_amount":123.45,"buyer_user_id":90412,"buyer_username":"buyer42","item_list":[{"item_id":1001,"item_name":"Tea","item_sku":"T-1","model_id":5,"model_quantity_purchased":2,"model_original_price":40.0,"model_discounted_price":35.0},{"item_id":1002,"item_name":"Cup","item_sku":"C-2","model_id":7,"model_quantity_purchased":1,"model_original_price":53.45,"model_discounted_price":53.45}]}"""u8,
        m => m with
        {
            Platform = "sim",
            Shop = "100042",
            Dataset = Datasets.Orders,
            Id = "240101ABCDEF42",
            CreateTime = Day.AddHours(3),
            UpdateTime = Day.AddHours(5),
            Job = "sim-20240101-20240201-abcdef",
            Slice = "sim-20240101-20240201-abcdef/100042/20240101",
        });

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
    public RecordMessage DecodeOrder() => MessageCodec.Decode<RecordMessage>(_orderBytes);
}
