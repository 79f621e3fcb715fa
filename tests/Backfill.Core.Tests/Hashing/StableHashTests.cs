using Backfill.Core.Hashing;

namespace Backfill.Core.Tests.Hashing;

public sealed class StableHashTests
{
    [Fact]
    public void Of_IsAFixedFunctionOfItsInputs()
    {
        // Pinned so a change to the hash, which would change every simulated catalog, is a conscious one.
        // Values from an independent Python transcription of SplitMix64 over FNV-1a (see the class).
        Assert.Equal(0x0F2CBC14EE0DC1E2UL, StableHash.Of(42, "10001", 19_723));
        Assert.Equal(0xFED37AABAA124D99UL, StableHash.Of(42, "10001", 19_723, 5));
        Assert.NotEqual(StableHash.Of(42, "10001", 19_723), StableHash.Of(42, "10001", 19_724));
        Assert.NotEqual(StableHash.Of(42, "10001", 19_723), StableHash.Of(42, "10002", 19_723));
    }

    [Fact]
    public void Fraction_IsInTheUnitInterval()
    {
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(StableHash.Fraction(StableHash.Of(1, "x", i)), 0, 0.9999999999));
    }
}
