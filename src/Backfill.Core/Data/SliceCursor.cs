namespace Backfill.Core.Data;

/// <summary>A phase of a slice's work: what one run of pages goes through.</summary>
public enum SlicePhase
{
    /// <summary>The order list of the slice's range: each page's orders detailed (orders) and/or their escrow fetched (finance).</summary>
    List,

    /// <summary>The return list of the slice's range, page by page.</summary>
    Returns,
}

/// <summary>
/// Where a slice's work stands: its phase and the platform's cursor within it (null: the phase's first page). A slice
/// goes through its phases in order (<see cref="Phases"/>); a phase ends when the platform says there is no more, and the
/// next begins at its first page. Encoded in one string on the action and progress topics and in LiteDB,
/// <c>{phase}|{page cursor}</c>; a cursor with no phase (what actions carried before there were phases) is the list's.
/// Pure.
/// </summary>
public readonly record struct SliceCursor(SlicePhase Phase, string? Page)
{
    private const char Separator = '|';

    /// <summary>The phases <paramref name="data"/> needs, in the order they run.</summary>
    public static IReadOnlyList<SlicePhase> Phases(Datasets data)
    {
        var phases = new List<SlicePhase>(2);
        if ((data & (Datasets.Orders | Datasets.Finance)) != 0)
        {
            phases.Add(SlicePhase.List);
        }

        if (data.HasFlag(Datasets.Returns))
        {
            phases.Add(SlicePhase.Returns);
        }

        return phases;
    }

    /// <summary>The first page of the first phase.</summary>
    /// <exception cref="ArgumentException">No dataset.</exception>
    public static SliceCursor Start(Datasets data) =>
        Phases(data) is [var first, ..] ? new SliceCursor(first, null) : throw new ArgumentException("A slice needs at least one dataset.", nameof(data));

    /// <summary>Reads what <see cref="Encode"/> wrote; null or empty is <see cref="Start"/>.</summary>
    /// <exception cref="FormatException">A phase that <paramref name="data"/> does not have.</exception>
    public static SliceCursor Parse(string? cursor, Datasets data)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return Start(data);
        }

        var at = cursor.IndexOf(Separator, StringComparison.Ordinal);
        var (phase, page) = at < 0
            ? (SlicePhase.List, cursor)
            : (PhaseNamed(cursor[..at]) ?? throw new FormatException($"'{cursor[..Math.Min(at, 20)]}' is not a slice phase."), cursor[(at + 1)..]);
        if (!Phases(data).Contains(phase))
        {
            throw new FormatException($"A cursor of the {Name(phase)} phase does not belong to a slice of {DatasetNames.Format(data)}.");
        }

        return new SliceCursor(phase, page.Length == 0 ? null : page);
    }

    /// <summary><c>{phase}|{page}</c>; the page may be empty (the phase's first page).</summary>
    public string Encode() => $"{Name(Phase)}{Separator}{Page}";

    /// <summary>
    /// Where the slice goes once this phase has no more pages: the next phase's first page, or null when the slice is
    /// complete.
    /// </summary>
    public SliceCursor? AfterPhase(Datasets data)
    {
        var phases = Phases(data);
        var at = IndexOf(phases, Phase);
        return at >= 0 && at + 1 < phases.Count ? new SliceCursor(phases[at + 1], null) : null;
    }

    public static string Name(SlicePhase phase) => phase switch
    {
        SlicePhase.List => "list",
        SlicePhase.Returns => "returns",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    private static SlicePhase? PhaseNamed(string name) => name switch
    {
        "list" => SlicePhase.List,
        "returns" => SlicePhase.Returns,
        _ => null,
    };

    private static int IndexOf(IReadOnlyList<SlicePhase> phases, SlicePhase phase)
    {
        for (var i = 0; i < phases.Count; i++)
        {
            if (phases[i] == phase)
            {
                return i;
            }
        }

        return -1;
    }
}
