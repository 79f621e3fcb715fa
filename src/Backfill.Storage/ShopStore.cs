using Backfill.Core.Shops;

namespace Backfill.Storage;

/// <summary>The registry's shops (<see cref="ShopRecord"/>), by <c>{platform}:{shop}</c>. Tokens are stored sealed only.</summary>
public sealed class ShopStore(BackfillDatabase db)
{
    public ShopRecord? Find(string platform, string shop) => db.Shops.FindById(ShopRecord.MakeId(platform, shop));

    /// <summary>Every shop, or those of <paramref name="platform"/>, by platform then shop id.</summary>
    public IReadOnlyList<ShopRecord> All(string? platform = null)
    {
        var prefix = platform is null ? "" : ShopRecord.MakeId(platform, "");
        return [.. db.Shops.FindAll().Where(s => s.Id.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>Stores the shop, on disk when this returns (a rotated refresh token must survive a crash that follows).</summary>
    public void Save(ShopRecord shop) => db.InTransaction(() => db.Shops.Upsert(shop));

    /// <summary>
    /// Applies <paramref name="change"/> to the shop as stored, in one transaction: a change another writer made in between
    /// is not lost. On disk when this returns. Null when there is no such shop (removed meanwhile).
    /// </summary>
    public ShopRecord? Update(string platform, string shop, Action<ShopRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return db.InTransaction(() =>
        {
            var record = db.Shops.FindById(ShopRecord.MakeId(platform, shop));
            if (record is null)
            {
                return null;
            }

            change(record);
            db.Shops.Update(record);
            return record;
        });
    }

    public bool Delete(string platform, string shop) => db.InTransaction(() => db.Shops.Delete(ShopRecord.MakeId(platform, shop)));
}
