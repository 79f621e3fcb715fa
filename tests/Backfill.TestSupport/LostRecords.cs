using Backfill.Core.Data;
using Backfill.Messaging.Clients;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Testing;

/// <summary>Records a scheduler's sink reader found gone from a data topic, as it keeps them when the broker dropped them unread.</summary>
internal static class LostRecords
{
    /// <summary>
    /// Once the job's first release has read its start on the data topics: the first record of its span on every order
    /// partition is lost. Returns that start.
    /// </summary>
    public static async Task<List<TopicOffset>> AtTheStartOfAsync(IServiceProvider scheduler, string job, TimeSpan limit)
    {
        var store = scheduler.GetRequiredService<JobStore>();
        var orders = scheduler.GetRequiredService<KafkaConnection>().Topics.Orders;
        await Poll.Eventually(() => store.Job(job)!.RecordsFrom is not null, limit, "the job's first release");
        var from = store.Job(job)!.RecordsFrom!;
        foreach (var start in from.Where(o => o.Topic == orders))
        {
            scheduler.GetRequiredService<RecordStore>().Lost(new LostRange(orders, start.Partition, start.Offset, start.Offset), DateTimeOffset.UtcNow);
        }

        return from;
    }
}
