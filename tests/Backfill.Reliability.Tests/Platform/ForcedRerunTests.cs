using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>R10: every slice of a finished job runs twice; the sink holds the same orders, the repeats are counted, not stored.</summary>
[Trait("Category", "Integration")]
public sealed class ForcedRerunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task RetryForce_ASucceededJobRunsEverySliceAgain_SinkUnchanged_DuplicatesCountedNotStored()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync();
        await using var run = await ServerRun.StartAsync(harness);
        var from = new DateOnly(2024, 2, 26);
        const int Days = 3;
        var sink = run.Server.Services.GetRequiredService<RecordStore>();
        var expected = Harness.Shops.Sum(shop => harness.Simulator.ExpectedOrders(
            shop, new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(from.AddDays(Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)));

        var job = await run.CreateAsync(from, Days);
        await run.WaitForStateAsync(job, "succeeded", Limit);
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).Unique == expected, Limit, "the sink to hold every order of the first run");
        var first = Documents(sink);
        var firstRun = await run.Http.SlicesAsync(job);
        var emittedFirst = firstRun.Sum(s => s.Orders);
        var duplicatesBefore = sink.Totals(Datasets.Orders).DuplicatesAbsorbed;
        var callsBefore = harness.Simulator.Calls.Snapshot().Count;

        // Without force a finished job is not run again (R11's rule stays).
        var (refusedStatus, refused) = await run.RetryAsync(job, null);
        Assert.Equal(409, refusedStatus);
        Assert.Contains("cannot be retried", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (status, answer) = await run.RetryAsync(job, new { force = true });
        Assert.Equal(200, status);
        Assert.Equal("running", answer.GetProperty("state").GetString());
        Assert.Equal(firstRun.Select(s => s.Slice).Order(), answer.GetProperty("retried").EnumerateArray().Select(s => s.GetString()).Order());

        await run.WaitForStateAsync(job, "succeeded", Limit);
        var secondRun = await run.Http.SlicesAsync(job);
        var emittedSecond = secondRun.Sum(s => s.Orders) - emittedFirst;
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).DuplicatesAbsorbed - duplicatesBefore >= emittedSecond, Limit, "the sink to read the second run's orders");
        var totals = sink.Totals(Datasets.Orders);
        var second = Documents(sink);

        Assert.All(secondRun, s => Assert.Equal(2, s.Attempt));
        Assert.All(secondRun, s => Assert.Equal("succeeded", s.State));
        Assert.True(emittedSecond >= expected, $"the second run emits every order again ({emittedSecond} of {expected})");
        Assert.True(harness.Simulator.Calls.Snapshot().Count > callsBefore, "the second run called the platform again");
        Assert.Equal(expected, totals.Unique);
        Assert.Equal(emittedSecond, totals.DuplicatesAbsorbed - duplicatesBefore);
        Assert.Equal(first, second);

        ScenarioFigures.Record(output, "R10", new
        {
            slices = secondRun.Count,
            slicesRerun = answer.GetProperty("retried").GetArrayLength(),
            ordersExpected = expected,
            ordersUnique = totals.Unique,
            ordersEmittedFirstRun = emittedFirst,
            ordersEmittedSecondRun = emittedSecond,
            duplicatesAbsorbedBySecondRun = totals.DuplicatesAbsorbed - duplicatesBefore,
            orderDocumentsUnchanged = first.SequenceEqual(second),
            platformCallsSecondRun = harness.Simulator.Calls.Snapshot().Count - callsBefore,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }

    /// <summary>What an order is, without the bookkeeping of its deliveries (writes, when saved).</summary>
    private static List<string> Documents(RecordStore sink) =>
        [.. Harness.Shops.SelectMany(shop => sink.OfShop(Datasets.Orders, Harness.Platform, shop))
            .Select(o => $"{o.Id}|{o.Json}|{o.CreateTime}|{o.UpdateTime}|{o.JobId}|{o.SliceId}")];
}
