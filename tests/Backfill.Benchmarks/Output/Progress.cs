namespace Backfill.Benchmarks;

/// <summary>Progress for the person watching: stderr, so stdout keeps only the table and the JSON line.</summary>
internal static class Progress
{
    public static void Line(string text) =>
        Console.Error.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} {text}");
}
