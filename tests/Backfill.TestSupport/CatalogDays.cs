using Backfill.Simulators;

namespace Backfill.Testing;

/// <summary>Finds days of the deterministic catalog with a wanted shape, so tests do not hard-code seeds' outcomes.</summary>
internal static class CatalogDays
{
    public static readonly DateOnly Start = new(2024, 3, 1);

    public static DateTimeOffset FirstDayWith(PlatformSimulator simulator, string shopId, Func<long, bool> wanted)
    {
        for (var day = Start; day < Start.AddDays(365); day = day.AddDays(1))
        {
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (wanted(simulator.ExpectedOrders(shopId, from, from.AddDays(1))))
            {
                return from;
            }
        }

        throw new InvalidOperationException("No such day in a year of the catalog.");
    }
}
