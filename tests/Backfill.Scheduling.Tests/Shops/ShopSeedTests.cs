using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;

namespace Backfill.Scheduling.Tests.Shops;

public sealed class ShopSeedTests
{
    private static readonly ShopTokenSeal Box = ShopTokenSeal.From(SecretBox.NewKey());
    private static readonly string Seed = ShopSeed.Fingerprint(Box, "shopee", "1001", "access-a", "refresh-a")!;

    [Fact]
    public void Decide_NoRecord_Creates()
    {
        Assert.Equal(SeedAction.Create, ShopSeed.Decide(null, Seed));
        Assert.Equal(SeedAction.Create, ShopSeed.Decide(null, null));
    }

    [Fact]
    public void Decide_TheSameSeed_KeepsTheRecord() =>
        Assert.Equal(SeedAction.Keep, ShopSeed.Decide(Seeded(Seed), Seed));

    [Fact]
    public void Decide_ANewSeed_OfARecordThatHasNotMovedOn_TakesIt()
    {
        var changed = ShopSeed.Fingerprint(Box, "shopee", "1001", "access-b", "refresh-b");

        Assert.Equal(SeedAction.TakeSeed, ShopSeed.Decide(Seeded(Seed), changed));
    }

    [Fact]
    public void Decide_ASeedOnceAKeyIsSet_FillsARecordMadeWithoutOne() =>
        Assert.Equal(SeedAction.TakeSeed, ShopSeed.Decide(Seeded(null), Seed));

    [Fact]
    public void Decide_ANewSeed_NeverOverwritesARotatedToken()
    {
        var rotated = Seeded(Seed);
        rotated.TokenVersion = 3;

        Assert.Equal(SeedAction.Keep, ShopSeed.Decide(rotated, ShopSeed.Fingerprint(Box, "shopee", "1001", "access-b", "refresh-b")));
    }

    [Fact]
    public void Decide_ANewSeed_NeverOverwritesTokensBroughtThroughTheApi()
    {
        var added = Seeded(Seed);
        added.Origin = ShopOrigins.Api;

        Assert.Equal(SeedAction.Keep, ShopSeed.Decide(added, ShopSeed.Fingerprint(Box, "shopee", "1001", "access-b", "refresh-b")));
    }

    [Fact]
    public void Decide_WithoutAKey_KeepsWhatTheRegistryHolds() =>
        Assert.Equal(SeedAction.Keep, ShopSeed.Decide(Seeded(Seed), null));

    [Fact]
    public void Fingerprint_DependsOnBothTokens_TheShopAndTheKey_AndIsNullWithoutAKey()
    {
        Assert.Equal(Seed, ShopSeed.Fingerprint(Box, "SHOPEE", "1001", "access-a", "refresh-a"));
        Assert.NotEqual(Seed, ShopSeed.Fingerprint(Box, "shopee", "1001", "access-a", "refresh-b"));
        Assert.NotEqual(Seed, ShopSeed.Fingerprint(Box, "shopee", "1001", "access-a", null));
        Assert.NotEqual(ShopSeed.Fingerprint(Box, "shopee", "1001", "ab", "c"), ShopSeed.Fingerprint(Box, "shopee", "1001", "a", "bc"));
        Assert.NotEqual(Seed, ShopSeed.Fingerprint(Box, "shopee", "1002", "access-a", "refresh-a"));
        Assert.NotEqual(Seed, ShopSeed.Fingerprint(ShopTokenSeal.From(SecretBox.NewKey()), "shopee", "1001", "access-a", "refresh-a"));
        Assert.Null(ShopSeed.Fingerprint(ShopTokenSeal.None, "shopee", "1001", "access-a", "refresh-a"));
    }

    private static ShopRecord Seeded(string? fingerprint) => new()
    {
        Id = ShopRecord.MakeId("shopee", "1001"),
        Platform = "shopee",
        Shop = "1001",
        Origin = ShopOrigins.Configuration,
        SeedFingerprint = fingerprint,
    };
}
