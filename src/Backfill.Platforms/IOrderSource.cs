namespace Backfill.Platforms;

/// <summary>One platform's API as a worker sees it: pages of a slice's records, every dataset's, each whole.</summary>
public interface IOrderSource
{
    /// <summary>The configured platform name (the key under <c>Platforms:</c>).</summary>
    string Platform { get; }

    /// <summary>
    /// The order time a slice's range is read by when its job names none (<c>Platforms:{name}:TimeRangeField</c>): what a
    /// page uses when <see cref="PageRequest.TimeField"/> is null.
    /// </summary>
    string TimeField { get; }

    /// <summary>
    /// Fetches one page of a phase of the slice <c>[From, To)</c> of a shop (<see cref="PageRequest"/>). Throws
    /// <see cref="PlatformException"/> once its own retries are exhausted.
    /// </summary>
    Task<RecordPage> FetchAsync(PageRequest request, CancellationToken cancellationToken);
}
