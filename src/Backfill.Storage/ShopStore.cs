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
    /// Reads the shop and stores what <paramref name="change"/> makes of it, in one transaction on disk when this returns;
    /// writers take turns, so no other change of the registry falls between the read and the write (an operator's disable
    /// and a refresh of the same shop never lose each other). Returning null stores nothing; throwing undoes all.
    /// </summary>
    /// <returns>What was stored, or null.</returns>
    public ShopRecord? Update(string platform, string shop, Func<ShopRecord?, ShopRecord?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return db.InTransaction(() =>
        {
            var changed = change(db.Shops.FindById(ShopRecord.MakeId(platform, shop)));
            if (changed is not null)
            {
                db.Shops.Upsert(changed);
            }

            return changed;
        });
    }

    public bool Delete(string platform, string shop) => db.InTransaction(() => db.Shops.Delete(ShopRecord.MakeId(platform, shop)));
}
