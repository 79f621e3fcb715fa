namespace Backfill.Server.Api;

/// <summary>What is wrong with a request, per member as the JSON names it, in the order found.</summary>
internal sealed class MemberErrors
{
    private readonly Dictionary<string, List<string>> _byMember = new(StringComparer.Ordinal);

    public bool HasErrors => _byMember.Count > 0;

    public bool Has(string member) => _byMember.ContainsKey(member);

    public void Add(string member, string message)
    {
        if (!_byMember.TryGetValue(member, out var list))
        {
            _byMember[member] = list = [];
        }

        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _byMember.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
