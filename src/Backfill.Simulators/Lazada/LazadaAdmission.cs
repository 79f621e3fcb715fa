namespace Backfill.Simulators.Lazada;

/// <summary>
/// The app's limits, checked together under one lock: every quota first (a spent quota refuses the call whatever the rate),
/// then the strict sliding one-second rate. A refused call is charged to neither; an admitted one to the rate and to every
/// quota's current window.
/// </summary>
internal sealed class LazadaAdmission
{
    private readonly Lock _lock = new();
    private readonly CallAdmission _rate;
    private readonly Spent[] _quotas;
    private readonly TimeProvider _time;

    public LazadaAdmission(double permitsPerSecond, IEnumerable<(LazadaQuota Quota, TimeZoneInfo Zone)> quotas, TimeProvider time)
    {
        _rate = new CallAdmission(permitsPerSecond, null, time);
        _quotas = [.. quotas.Select(q => new Spent(q.Quota, q.Zone))];
        _time = time;
    }

    public Admission TryAdmit()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? resetAt = null;
            LazadaQuota? spent = null;
            foreach (var quota in _quotas)
            {
                var window = quota.Roll(now);
                if (quota.Used >= quota.Quota.Calls && (resetAt is null || window.End > resetAt))
                {
                    // Refused until every spent quota has reset: the latest reset wins.
                    resetAt = window.End;
                    spent = quota.Quota;
                }
            }

            if (resetAt is { } reset)
            {
                return new Admission(AdmissionOutcome.QuotaSpent, 0, reset, spent);
            }

            if (!_rate.TryAdmit(null, out var inWindow))
            {
                return new Admission(AdmissionOutcome.RateLimited, 0, null, null);
            }

            foreach (var quota in _quotas)
            {
                quota.Used++;
            }

            return new Admission(AdmissionOutcome.Admitted, inWindow, null, null);
        }
    }

    private sealed class Spent(LazadaQuota quota, TimeZoneInfo zone)
    {
        private QuotaWindow _window;

        public LazadaQuota Quota => quota;

        public long Used { get; set; }

        public QuotaWindow Roll(DateTimeOffset now)
        {
            if (now >= _window.End || now < _window.Start)
            {
                _window = QuotaWindow.At(now, quota.Period, zone);
                Used = 0;
            }

            return _window;
        }
    }
}

internal enum AdmissionOutcome
{
    Admitted,
    RateLimited,
    QuotaSpent,
}

/// <summary>The decision on one call: admitted (with the app's calls in the last second), or refused by the rate or by a quota (with when it resets).</summary>
internal readonly record struct Admission(AdmissionOutcome Outcome, int InWindow, DateTimeOffset? ResetAt, LazadaQuota? Quota);
