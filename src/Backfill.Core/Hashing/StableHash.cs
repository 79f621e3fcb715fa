namespace Backfill.Core.Hashing;

/// <summary>
/// A hash that is the same in every process and on every machine (string.GetHashCode is randomized per process),
/// so the simulated catalog is the same for every worker and every test run.
/// </summary>
public static class StableHash
{
    public static ulong Of(int seed, string text, long a, long b = -1)
    {
        var hash = Mix((uint)seed ^ 0x9E3779B97F4A7C15UL);
        hash = Mix(hash ^ Fnv1a(text));
        hash = Mix(hash ^ (ulong)a);
        return Mix(hash ^ (ulong)b);
    }

    /// <summary>A number in [0, 1) from a hash.</summary>
    public static double Fraction(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    private static ulong Fnv1a(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return hash;
    }

    // The SplitMix64 finalizer: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
