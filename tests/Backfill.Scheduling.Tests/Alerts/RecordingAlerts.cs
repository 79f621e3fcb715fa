using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

/// <summary>The seam's fake: what the scheduler's parts raised, in order.</summary>
internal sealed class RecordingAlerts : IAlerts
{
    private readonly List<Alert> _raised = [];

    public IReadOnlyList<Alert> Raised
    {
        get
        {
            lock (_raised)
            {
                return [.. _raised];
            }
        }
    }

    public void Raise(Alert alert)
    {
        lock (_raised)
        {
            _raised.Add(alert);
        }
    }
}
