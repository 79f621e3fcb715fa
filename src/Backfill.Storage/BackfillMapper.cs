using LiteDB;

namespace Backfill.Storage;

/// <summary>LiteDB mapping for the types it does not know: dates as ISO text, spans as ticks.</summary>
public static class BackfillMapper
{
    public static BsonMapper Create()
    {
        var mapper = new BsonMapper { EnumAsInteger = false };
        mapper.RegisterType(d => new BsonValue(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), b => DateOnly.ParseExact(b.AsString, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        mapper.RegisterType(d => new BsonValue(d.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), b => DateTimeOffset.ParseExact(b.AsString, "O", System.Globalization.CultureInfo.InvariantCulture));
        mapper.RegisterType(t => new BsonValue(t.Ticks), b => TimeSpan.FromTicks(b.AsInt64));
        return mapper;
    }
}
