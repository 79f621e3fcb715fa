using System.Collections;
using Microsoft.Extensions.Logging;

namespace Backfill.Messaging;

/// <summary>
/// The log scope of work on one slice: its job, slice, shop and platform as fields, so every entry logged inside it
/// (by the handler, the platform adapter, the budget) carries them; the JSON console log writes them as properties.
/// </summary>
public sealed class SliceLogScope(string job, string slice, string? shop, string? platform) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _fields =
    [
        new("job", job),
        new("slice", slice),
        new("shop", shop),
        new("platform", platform),
    ];

    public int Count => _fields.Length;

    public KeyValuePair<string, object?> this[int index] => _fields[index];

    public static IDisposable? Begin(ILogger logger, string job, string slice, string? shop, string? platform) =>
        logger.BeginScope(new SliceLogScope(job, slice, shop, platform));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"job {_fields[0].Value} slice {_fields[1].Value} shop {_fields[2].Value} platform {_fields[3].Value}";
}
