namespace Backfill.Storage;

/// <summary>Each platform's quota account, kept by the scheduler as its owner writes it (JSON), by platform name.</summary>
public sealed class QuotaStore(BackfillDatabase db)
{
    public string? Find(string platform) => db.Quotas.FindById(platform.ToLowerInvariant())?.State;

    /// <summary>Stores the account, on disk when this returns: a grant is announced only after it is kept.</summary>
    public void Save(string platform, string state) =>
        db.InTransaction(() => db.Quotas.Upsert(new QuotaDocument { Id = platform.ToLowerInvariant(), State = state }));
}

/// <summary>One platform's quota account.</summary>
internal sealed class QuotaDocument
{
    public string Id { get; set; } = "";

    public string State { get; set; } = "";
}
