using BenchmarkDotNet.Attributes;
using Backfill.Platforms.Shopee;

namespace Backfill.Benchmarks.Micro;

/// <summary>One Shopee request signature (HMAC-SHA256 over partner, path, time, token and shop), made for every call.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    [Benchmark]
    public string Sign() => ShopeeSigner.Sign("micro-partner-key-0123456789abcdef", 2002, "/api/v2/order/get_order_list", 1_704_067_200, "micro-access-token-0123456789", 100_042);
}
