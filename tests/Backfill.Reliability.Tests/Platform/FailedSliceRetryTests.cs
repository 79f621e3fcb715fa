using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// R11: a platform error that does not go away fails some slices with a readable error; <c>retry</c> runs only those
/// again. The fleet refreshes tokens here, but the shop whose token the platform calls expired has no refresh token: its
/// calls wait <c>Worker:TokenWait</c> for a newer token, none comes, and its slices fail.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FailedSliceRetryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan TokenWait = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task PermanentErrors_FailOnlyTheirSlices_Readably_RetryRunsOnlyThose_JobSucceeds()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync();
        const string Bad = "20002";
        const string Good = "20001";
        harness.Simulator.Switches.ExpiredTokenShops.Add(Bad);
        harness.Settings["Backfill:SecretKey"] = Harness.SecretKey;
        harness.Settings["Worker:TokenWait"] = TokenWait.ToString();
        await using var run = await ServerRun.StartAsync(harness);
        var from = new DateOnly(2024, 3, 4);
        const int Days = 3;
        var sink = run.Server.Services.GetRequiredService<RecordStore>();
        var expected = Harness.Shops.Sum(shop => harness.Simulator.ExpectedOrders(
            shop, new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(from.AddDays(Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)));

        var job = await run.CreateAsync(from, Days);
        await run.WaitForStateAsync(job, "failed", Limit);
        var failed = await run.Http.SlicesAsync(job, "failed");
        var all = await run.Http.SlicesAsync(job);
        var callsAtFailure = harness.Simulator.Calls.Snapshot();

        Assert.Equal(Days, failed.Count);
        Assert.All(failed, s =>
        {
            Assert.Equal(Bad, s.Shop);
            var error = s.Error;
            Assert.Contains("invalid_access_token", error, StringComparison.Ordinal);
            Assert.Contains("expired", error, StringComparison.Ordinal);
            Assert.Contains($"no newer access token for shop {Bad} came within {TokenWait:c}", error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.Token(Bad), error, StringComparison.Ordinal);
            Assert.DoesNotContain(Harness.PartnerKey, error, StringComparison.Ordinal);
        });
        Assert.All(all.Where(s => s.Shop == Good), s => Assert.Equal("succeeded", s.State));

        // The token is refreshed; retry takes the failed slices and no other.
        harness.Simulator.Switches.ExpiredTokenShops.Clear();
        var (status, answer) = await run.RetryAsync(job, null);
        Assert.Equal(200, status);
        Assert.Equal(failed.Select(s => s.Slice).Order(), answer.GetProperty("retried").EnumerateArray().Select(s => s.GetString()).Order());
        await run.WaitForStateAsync(job, "succeeded", Limit);
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).Unique == expected, Limit, "the sink to hold every order");

        var final = await run.Http.SlicesAsync(job);
        var afterRetry = harness.Simulator.Calls.Snapshot().Skip(callsAtFailure.Count).ToList();
        Assert.All(final, s => Assert.Equal("succeeded", s.State));
        Assert.All(final.Where(s => s.Shop == Good), s => Assert.Equal(1, s.Attempt));
        Assert.All(final.Where(s => s.Shop == Bad), s => Assert.Equal(2, s.Attempt));
        Assert.DoesNotContain(afterRetry, c => c.Shop == Good);
        Assert.Contains(afterRetry, c => c.Shop == Bad);
        Assert.Equal(expected, sink.Totals(Datasets.Orders).Unique);

        ScenarioFigures.Record(output, "R11", new
        {
            slices = final.Count,
            slicesFailed = failed.Count,
            slicesRetried = answer.GetProperty("retried").GetArrayLength(),
            error = failed[0].Error,
            callsForFailedShopBeforeRetry = callsAtFailure.Count(c => c.Shop == Bad),
            callsForGoodShopBeforeRetry = callsAtFailure.Count(c => c.Shop == Good),
            callsForGoodShopAfterRetry = afterRetry.Count(c => c.Shop == Good),
            callsForRetriedShopAfterRetry = afterRetry.Count(c => c.Shop == Bad),
            ordersExpected = expected,
            ordersUnique = sink.Totals(Datasets.Orders).Unique,
            duplicatesAbsorbed = sink.Totals(Datasets.Orders).DuplicatesAbsorbed,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }
}
