namespace Backfill.Platforms.Quotas;

/// <summary>
/// The fleet's one account of a platform's quotas, kept by the scheduler: it grants processes calls, never more in a
/// shape's window than the shape's <see cref="QuotaShape.Usable"/> calls, counting a grant in the current window of every
/// shape. A process's grants add up until the grant's end (<see cref="QuotaPlan.GrantEnd"/>); calls granted and not made
/// are lost, never handed out twice, so the fleet cannot exceed a quota whatever process stops (docs/rate-budget.md).
/// Not thread-safe: its owner serialises calls.
/// </summary>
public sealed class QuotaLedger
{
    private readonly QuotaPlan _plan;
    private readonly QuotaLedgerState _state;

    public QuotaLedger(QuotaPlan plan, QuotaLedgerState? state = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
        _state = state ?? new QuotaLedgerState();
        while (_state.Shapes.Count < plan.Shapes.Count)
        {
            _state.Shapes.Add(new QuotaLedgerState.Window());
        }
    }

    /// <summary>What to keep so a restarted scheduler grants no call twice.</summary>
    public QuotaLedgerState State => _state;

    /// <summary>
    /// Grants <paramref name="process"/> up to <paramref name="want"/> more calls at <paramref name="now"/>: as many as every
    /// shape still has, none in the last <see cref="QuotaPlan.EdgeMargin"/> of the grant's life, none while the platform said
    /// its quota is spent (<see cref="Refused"/>).
    /// </summary>
    public QuotaGrant Grant(string process, long want, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(process);
        Roll(now);
        var end = _plan.GrantEnd(now);
        var left = Left();
        var granted = now >= QuotaPlan.LastStart(end) || now < _state.BlockedUntil ? 0 : Math.Clamp(want, 0, left);
        for (var i = 0; i < _plan.Shapes.Count; i++)
        {
            _state.Shapes[i].Granted += granted;
        }

        if (!_state.Processes.TryGetValue(process, out var held) || held.End != end)
        {
            held = new QuotaLedgerState.Held { End = end };
            _state.Processes[process] = held;
        }

        held.Calls += granted;
        _state.Processes = _state.Processes.Where(p => p.Value.End > now).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new QuotaGrant(process, held.Calls, end, granted, SpentUntil(now));
    }

    /// <summary>The platform refused a call for its quota (another client spent it): nothing is granted before <paramref name="until"/>.</summary>
    public void Refused(DateTimeOffset until)
    {
        if (until > _state.BlockedUntil)
        {
            _state.BlockedUntil = until;
        }
    }

    /// <summary>
    /// When grants can start again if the backfill share of some shape is spent (or the platform refused) at
    /// <paramref name="now"/>: once every spent shape's window has ended; null while calls are left.
    /// </summary>
    public DateTimeOffset? SpentUntil(DateTimeOffset now)
    {
        Roll(now);
        DateTimeOffset? until = now < _state.BlockedUntil ? _state.BlockedUntil : null;
        for (var i = 0; i < _plan.Shapes.Count; i++)
        {
            var shape = _plan.Shapes[i];
            if (_state.Shapes[i].Granted >= shape.Usable && shape.WindowAt(now).End is var end && (until is null || end > until))
            {
                until = end;
            }
        }

        return until;
    }

    /// <summary>Each shape's use in its current window.</summary>
    public IReadOnlyList<QuotaUse> Use(DateTimeOffset now)
    {
        Roll(now);
        return [.. _plan.Shapes.Select((s, i) => new QuotaUse(s.Calls, s.Usable, s.Period, _state.Shapes[i].Granted, s.WindowAt(now).End))];
    }

    private long Left()
    {
        var left = long.MaxValue;
        for (var i = 0; i < _plan.Shapes.Count; i++)
        {
            left = Math.Min(left, Math.Max(0, _plan.Shapes[i].Usable - _state.Shapes[i].Granted));
        }

        return left == long.MaxValue ? 0 : left;
    }

    /// <summary>A shape whose window changed starts its new window with nothing granted.</summary>
    private void Roll(DateTimeOffset now)
    {
        for (var i = 0; i < _plan.Shapes.Count; i++)
        {
            var start = _plan.Shapes[i].WindowAt(now).Start;
            if (_state.Shapes[i].Start != start)
            {
                _state.Shapes[i] = new QuotaLedgerState.Window { Start = start };
            }
        }
    }
}

/// <summary>
/// A grant: <paramref name="Calls"/> is everything the process holds until <paramref name="End"/> (grants add up), of which
/// <paramref name="Added"/> came now; <paramref name="SpentUntil"/> is set when the backfill share is spent.
/// </summary>
public sealed record QuotaGrant(string Process, long Calls, DateTimeOffset End, long Added, DateTimeOffset? SpentUntil);

/// <summary>One quota's use: <paramref name="Granted"/> of its <paramref name="Usable"/> calls in the window ending at <paramref name="WindowEnd"/>.</summary>
public sealed record QuotaUse(long Calls, long Usable, TimeSpan Period, long Granted, DateTimeOffset WindowEnd);

/// <summary>The ledger's state as stored (LiteDB document body).</summary>
public sealed class QuotaLedgerState
{
    public List<Window> Shapes { get; set; } = [];

    public Dictionary<string, Held> Processes { get; set; } = new(StringComparer.Ordinal);

    public DateTimeOffset BlockedUntil { get; set; }

    public sealed class Window
    {
        public DateTimeOffset Start { get; set; }

        public long Granted { get; set; }
    }

    public sealed class Held
    {
        public DateTimeOffset End { get; set; }

        public long Calls { get; set; }
    }
}
