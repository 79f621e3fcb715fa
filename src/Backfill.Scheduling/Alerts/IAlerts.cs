namespace Backfill.Scheduling.Alerts;

/// <summary>
/// Where the scheduler says what an operator should hear of. <see cref="Raise"/> returns at once, on every path: delivery
/// (webhooks, mail) happens in the background, so a slow or dead target never holds back progress, releases or readers.
/// </summary>
public interface IAlerts
{
    void Raise(Alert alert);
}
