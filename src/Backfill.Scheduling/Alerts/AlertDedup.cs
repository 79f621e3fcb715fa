namespace Backfill.Scheduling.Alerts;

/// <summary>
/// Each key is let through once per <paramref name="window"/>: the same cool-off read again, the same stuck slice, the
/// same expiring token seen at every check are told once, then again only if still raised after the window. Keys older
/// than the window are forgotten, so memory follows what happened within it. In memory: a restarted scheduler may tell
/// once more what it told before. Thread-safe, pure apart from its memory.
/// </summary>
public sealed class AlertDedup(TimeSpan window)
{
    private readonly Dictionary<string, DateTimeOffset> _sent = new(StringComparer.Ordinal);
    private DateTimeOffset _pruned = DateTimeOffset.MinValue;

    /// <summary>True, and remembered, when <paramref name="key"/> was not let through within the window before <paramref name="now"/>.</summary>
    public bool Admit(string key, DateTimeOffset now)
    {
        lock (_sent)
        {
            if (now - _pruned >= window)
            {
                foreach (var old in _sent.Where(s => now - s.Value >= window).Select(s => s.Key).ToList())
                {
                    _sent.Remove(old);
                }

                _pruned = now;
            }

            if (_sent.TryGetValue(key, out var at) && now - at < window)
            {
                return false;
            }

            _sent[key] = now;
            return true;
        }
    }

    /// <summary>Keys remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_sent)
            {
                return _sent.Count;
            }
        }
    }
}
