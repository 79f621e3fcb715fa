using System.Text.Json;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling.Quotas;

/// <summary>
/// The fleet's one holder of the platforms' quotas: grants workers' asks from each platform's <see cref="QuotaLedger"/>,
/// keeps the ledger in LiteDB before a grant is announced on the control topic (a restarted scheduler grants no call twice),
/// and announces when a platform's backfill share is spent until its reset; the refresher's token calls draw on the same
/// ledger (docs/rate-budget.md, "Quotas").
/// </summary>
public sealed partial class QuotaGrants(
    IOptionsMonitor<PlatformOptions> platforms,
    QuotaStore store,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    PlatformBoard board,
    TimeProvider time,
    ILogger<QuotaGrants> logger) : IQuotaReserve
{
    /// <summary>The name the scheduler's own calls (token refreshes) are granted under.</summary>
    public const string SchedulerProcess = "scheduler";

    // Null for a platform without quotas: decided once, as its options do not change while running.
    private readonly Dictionary<string, Entry?> _ledgers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>A worker process asked for <paramref name="want"/> calls of the platform's quotas: grants what is left, announced.</summary>
    public void Ask(string platform, string process, long want)
    {
        QuotaGrant grant;
        DateTimeOffset? spent;
        lock (_lock)
        {
            if (Ledger(platform) is not { } entry)
            {
                return;
            }

            grant = entry.Ledger.Grant(process, want, time.GetUtcNow());
            Keep(platform, entry);
            spent = NewlySpent(entry, grant.SpentUntil);
        }

        var message = ControlMessage.QuotaGrant(platform, process, grant.Calls, grant.End, $"{grant.Added} of {want} asked");
        Produce(message);
        Log.Granted(logger, platform, process, grant.Added, want, grant.Calls, grant.End);
        Announce(platform, spent, "the backfill share of its quota is spent");
    }

    /// <summary>The platform refused a call for its quota (another client spent it): nothing is granted before <paramref name="until"/>.</summary>
    public void Refused(string platform, DateTimeOffset until)
    {
        lock (_lock)
        {
            if (Ledger(platform) is { } entry)
            {
                entry.Ledger.Refused(until);
                Keep(platform, entry);
                entry.AnnouncedUntil = until > entry.AnnouncedUntil ? until : entry.AnnouncedUntil;
            }
        }

        board.QuotaSpent(platform, until, "the platform refused a call for its quota");
    }

    /// <summary>Waits for one call of the platform's quotas for the scheduler's own call (a token refresh); at once without quotas.</summary>
    public async Task ReserveAsync(string platform, CancellationToken cancellationToken)
    {
        while (true)
        {
            QuotaGrant grant;
            DateTimeOffset? spent;
            lock (_lock)
            {
                if (Ledger(platform) is not { } entry)
                {
                    return;
                }

                grant = entry.Ledger.Grant(SchedulerProcess, 1, time.GetUtcNow());
                Keep(platform, entry);
                spent = NewlySpent(entry, grant.SpentUntil);
            }

            Announce(platform, spent, "the backfill share of its quota is spent");
            if (grant.Added == 1)
            {
                return;
            }

            var wait = (grant.SpentUntil ?? grant.End) - time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    /// <summary>The platform's quotas in their current windows; empty without quotas.</summary>
    public IReadOnlyList<QuotaUse> Use(string platform)
    {
        lock (_lock)
        {
            return Ledger(platform)?.Ledger.Use(time.GetUtcNow()) ?? [];
        }
    }

    private Entry? Ledger(string platform)
    {
        if (_ledgers.TryGetValue(platform, out var entry))
        {
            return entry;
        }

        QuotaPlan plan;
        try
        {
            plan = QuotaPlan.For(platforms.Get(platform).RateLimit);
        }
        catch (OptionsValidationException)
        {
            // Asked for by a process configured otherwise: this scheduler has no quota of it to grant.
            Log.NotConfigured(logger, platform);
            return null;
        }

        if (plan.IsEmpty)
        {
            _ledgers[platform] = null;
            return null;
        }

        QuotaLedgerState? kept;
        try
        {
            kept = store.Find(platform) is { } json ? JsonSerializer.Deserialize<QuotaLedgerState>(json) : null;
        }
        catch (JsonException e)
        {
            // What was granted is unknown: grant nothing until every current window has ended, rather than grant twice.
            kept = new QuotaLedgerState { BlockedUntil = plan.Shapes.Max(s => s.WindowAt(time.GetUtcNow()).End) };
            Log.Unreadable(logger, platform, e.Message, kept.BlockedUntil);
        }

        entry = new Entry(new QuotaLedger(plan, kept));
        _ledgers[platform] = entry;
        return entry;
    }

    private void Keep(string platform, Entry entry) => store.Save(platform, JsonSerializer.Serialize(entry.Ledger.State));

    /// <summary>The end of a spent share not announced yet, else null.</summary>
    private static DateTimeOffset? NewlySpent(Entry entry, DateTimeOffset? spentUntil)
    {
        if (spentUntil is not { } until || until <= entry.AnnouncedUntil)
        {
            return null;
        }

        entry.AnnouncedUntil = until;
        return until;
    }

    private void Announce(string platform, DateTimeOffset? spentUntil, string reason)
    {
        if (spentUntil is not { } until)
        {
            return;
        }

        board.QuotaSpent(platform, until, reason);
        Produce(ControlMessage.QuotaSpent(platform, until, null, reason));
        Log.Spent(logger, platform, until);
    }

    private void Produce(ControlMessage message) =>
        producer.Produce(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, report =>
        {
            if (report.Error.IsError)
            {
                Log.AnnounceFailed(logger, message.Platform ?? "", message.Kind, report.Error.Reason);
            }
        });

    private sealed class Entry(QuotaLedger ledger)
    {
        public QuotaLedger Ledger { get; } = ledger;

        public DateTimeOffset AnnouncedUntil { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Platform {Platform}: granted {Added} of {Want} quota calls to {Process} ({Calls} in all until {End:O})")]
        public static partial void Granted(ILogger logger, string platform, string process, long added, long want, long calls, DateTimeOffset end);

        [LoggerMessage(2, LogLevel.Warning, "Platform {Platform}: the backfill share of its quota is spent; calls and releases pause until {Until:O}")]
        public static partial void Spent(ILogger logger, string platform, DateTimeOffset until);

        [LoggerMessage(4, LogLevel.Warning, "A quota ask for platform {Platform}, which this scheduler does not have configured, is ignored; every process of the fleet needs the same Platforms section")]
        public static partial void NotConfigured(ILogger logger, string platform);

        [LoggerMessage(5, LogLevel.Error, "Platform {Platform}: the stored quota account cannot be read ({Error}); nothing is granted until {Until:O}, when every current quota window has ended")]
        public static partial void Unreadable(ILogger logger, string platform, string error, DateTimeOffset until);

        [LoggerMessage(3, LogLevel.Error, "Could not announce {Kind} of platform {Platform} on the control topic: {Error}")]
        public static partial void AnnounceFailed(ILogger logger, string platform, ControlKind kind, string error);
    }
}
