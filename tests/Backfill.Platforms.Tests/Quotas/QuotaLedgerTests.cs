using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;

namespace Backfill.Platforms.Tests.Quotas;

public sealed class QuotaLedgerTests
{
    private static readonly DateTimeOffset Start = new(2026, 9, 15, 4, 0, 0, TimeSpan.Zero);

    private static QuotaLedger Ledger(long calls = 100, double share = 0.8, QuotaLedgerState? state = null) => new(
        QuotaPlan.For(new RateLimitOptions { PermitsPerSecond = 10, BackfillShare = share, Quotas = [new QuotaOptions { Calls = calls, Period = TimeSpan.FromMinutes(1) }] }),
        state);

    [Fact]
    public void Grant_NeverExceedsTheShare_WhateverTheAsks()
    {
        var ledger = Ledger();

        var granted = Enumerable.Range(0, 30).Sum(i => ledger.Grant($"w{i % 3}", 7, Start.AddSeconds(i)).Added);

        Assert.Equal(80, granted);
        Assert.Equal(0, ledger.Grant("w9", 1, Start.AddSeconds(40)).Added);
    }

    [Fact]
    public void Grant_AddsUpPerProcessUntilTheWindowEnds()
    {
        var ledger = Ledger();

        ledger.Grant("a", 10, Start);
        var second = ledger.Grant("a", 5, Start.AddSeconds(1));

        Assert.Equal((15L, 5L, Start.AddMinutes(1)), (second.Calls, second.Added, second.End));
    }

    [Fact]
    public void SpentShare_SaysWhenItResumes_AndTheNextWindowGrantsAgain()
    {
        var ledger = Ledger();

        var last = ledger.Grant("a", 100, Start.AddSeconds(5));
        var next = ledger.Grant("a", 10, Start.AddMinutes(1));

        Assert.Equal((80L, Start.AddMinutes(1)), (last.Added, last.SpentUntil));
        Assert.Equal((10L, 10L, (DateTimeOffset?)null), (next.Added, next.Calls, next.SpentUntil));
    }

    [Fact]
    public void Grant_InTheLastSecondOfAWindow_GivesNothing()
    {
        var ledger = Ledger();

        Assert.Equal(0, ledger.Grant("a", 10, Start.AddMinutes(1) - QuotaPlan.EdgeMargin).Added);
        Assert.Equal(10, ledger.Grant("a", 10, Start.AddMinutes(1) - QuotaPlan.EdgeMargin - TimeSpan.FromTicks(1)).Added);
    }

    [Fact]
    public void Refused_BlocksGrantsUntilThePlatformsReset()
    {
        var ledger = Ledger();

        ledger.Refused(Start.AddMinutes(1));

        Assert.Equal(0, ledger.Grant("a", 10, Start.AddSeconds(3)).Added);
        Assert.Equal(Start.AddMinutes(1), ledger.SpentUntil(Start.AddSeconds(3)));
        Assert.Equal(10, ledger.Grant("a", 10, Start.AddMinutes(1)).Added);
    }

    [Fact]
    public void AStoredState_GrantsNoCallTwice()
    {
        var first = Ledger();
        first.Grant("a", 70, Start);
        var json = System.Text.Json.JsonSerializer.Serialize(first.State);

        var restarted = Ledger(state: System.Text.Json.JsonSerializer.Deserialize<QuotaLedgerState>(json));

        Assert.Equal(10, restarted.Grant("b", 70, Start.AddSeconds(2)).Added);
    }

    [Fact]
    public void Use_ShowsGrantedOfUsableInTheCurrentWindow()
    {
        var ledger = Ledger();
        ledger.Grant("a", 30, Start);

        Assert.Equal([new QuotaUse(100, 80, TimeSpan.FromMinutes(1), 30, Start.AddMinutes(1))], ledger.Use(Start.AddSeconds(1)));
    }
}
