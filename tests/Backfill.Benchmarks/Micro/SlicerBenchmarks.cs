using BenchmarkDotNet.Attributes;
using Backfill.Core.Slicing;

namespace Backfill.Benchmarks.Micro;

/// <summary>Cutting a range into day slices: a year, in UTC and in a zone with daylight saving.</summary>
[MemoryDiagnoser]
public class SlicerBenchmarks
{
    private static readonly DateOnly From = new(2024, 1, 1);
    private readonly TimeZoneInfo _berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Benchmark]
    public int YearUtc() => Slicer.Slice(From, From.AddDays(366), TimeZoneInfo.Utc).Count;

    [Benchmark]
    public int YearBerlin() => Slicer.Slice(From, From.AddDays(366), _berlin).Count;
}
