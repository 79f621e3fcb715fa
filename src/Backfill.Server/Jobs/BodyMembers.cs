using System.Text.Json;

namespace Backfill.Server.Jobs;

/// <summary>
/// The members of a JSON object body, matched case-insensitively to the known ones (null ones left out), and what is
/// wrong with them in the request's own terms: an unknown member is refused, never ignored.
/// </summary>
internal sealed class BodyMembers
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <param name="where">How an unknown member is placed, e.g. "of a job request" or "here".</param>
    public BodyMembers(JsonElement body, IReadOnlyList<string> members, string where)
    {
        foreach (var property in body.EnumerateObject())
        {
            var member = members.FirstOrDefault(m => string.Equals(m, property.Name, StringComparison.OrdinalIgnoreCase));
            if (member is null)
            {
                Error(property.Name, $"'{property.Name}' is not a member {where}; use {string.Join(", ", members)}.");
            }
            else if (property.Value.ValueKind != JsonValueKind.Null)
            {
                Values[member] = property.Value;
            }
        }
    }

    public Dictionary<string, JsonElement> Values { get; } = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Error(string member, string message)
    {
        if (!_errors.TryGetValue(member, out var list))
        {
            _errors[member] = list = [];
        }

        list.Add(message);
    }
}
