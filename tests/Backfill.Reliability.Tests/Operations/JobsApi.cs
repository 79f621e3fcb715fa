using System.Globalization;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>The server's job routes as the operations scenarios use them.</summary>
internal static class JobsApi
{
    public static Task<string> CreateAsync(ServerHarness harness, IReadOnlyList<string> shops, DateOnly from, int days, string releaseEvery, int slicesPerRelease) =>
        harness.Http.CreateJobAsync(new
        {
            platform = ServerHarness.Platform,
            shops,
            from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            to = from.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            releaseEvery,
            slicesPerRelease,
        });

    public static DateTimeOffset Day(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The first run of <paramref name="days"/> days from March 2024 on which every shop has at least <paramref name="minOrders"/> orders each day.</summary>
    public static DateOnly BusyDays(ServerHarness harness, IReadOnlyList<string> shops, int days, int minOrders)
    {
        for (var from = new DateOnly(2024, 3, 1); from < new DateOnly(2026, 1, 1); from = from.AddDays(1))
        {
            if (Enumerable.Range(0, days).All(d => shops.All(shop => harness.Simulator.ExpectedOrders(shop, Day(from.AddDays(d)), Day(from.AddDays(d + 1))) >= minOrders)))
            {
                return from;
            }
        }

        throw new InvalidOperationException("the simulator's catalog has no busy days");
    }
}
