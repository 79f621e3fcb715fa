using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

public sealed class AlertDedupTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    [Fact]
    public void Admit_SameKeyWithinTheWindow_OnceOnly_OtherKeysApart()
    {
        var dedup = new AlertDedup(Window);

        Assert.True(dedup.Admit("platform.cooloff:shopee:t1", Now));
        Assert.False(dedup.Admit("platform.cooloff:shopee:t1", Now.AddMinutes(59)));
        Assert.True(dedup.Admit("platform.cooloff:shopee:t2", Now.AddMinutes(59)));
    }

    [Fact]
    public void Admit_SameKeyAfterTheWindow_AgainAndTheWindowStartsAnew()
    {
        var dedup = new AlertDedup(Window);
        dedup.Admit("k", Now);

        Assert.True(dedup.Admit("k", Now + Window));
        Assert.False(dedup.Admit("k", Now + Window + TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void Admit_ForgetsKeysOlderThanTheWindow()
    {
        var dedup = new AlertDedup(Window);
        foreach (var i in Enumerable.Range(0, 100))
        {
            dedup.Admit($"slice.stuck:{i}:1", Now);
        }

        dedup.Admit("later", Now + Window);

        Assert.Equal(1, dedup.Count);
    }

    [Fact]
    public void Admit_ZeroWindow_LetsEverythingThrough()
    {
        var dedup = new AlertDedup(TimeSpan.Zero);

        Assert.True(dedup.Admit("k", Now));
        Assert.True(dedup.Admit("k", Now));
    }
}
