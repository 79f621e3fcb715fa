using System.Globalization;
using Backfill.Core.Data;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// The platform rows of <c>doctor</c>: one signed page per platform through the real adapter (its list call, and a
/// detail call per batch of the orders it lists), the first page of the first configured shop over the last hour, and the budget the configuration gives it (limit, safety margin, lanes).
/// Only the platform's error code and its own words are shown, never a key or token.
/// </summary>
internal static class PlatformDoctor
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static async Task<IReadOnlyList<DoctorCheck>> CheckAsync(IConfiguration configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var names = PlatformsConfiguration.Names(configuration);
        var maxInFlight = configuration.GetSection("Backfill").Get<BackfillOptions>()?.MaxInFlightPerPlatform ?? new BackfillOptions().MaxInFlightPerPlatform;
        if (names.Count == 0)
        {
            return [DoctorCheck.Warn("platforms", "no platform is configured under Platforms:, so there is nothing to backfill from.")];
        }

        var services = new ServiceCollection().AddLogging().AddSingleton(time);
        services.AddPlatforms(configuration);
        await using var provider = services.BuildServiceProvider();
        var checks = new List<DoctorCheck>();
        foreach (var name in names)
        {
            checks.Add(await CheckAsync(provider, name, maxInFlight, time, cancellationToken));
        }

        return checks;
    }

    private static async Task<DoctorCheck> CheckAsync(IServiceProvider provider, string platform, int maxInFlight, TimeProvider time, CancellationToken cancellationToken)
    {
        var check = $"platform {platform}";
        IOrderSource source;
        string? shop;
        QuotaPlan quotas;
        LanePlan plan;
        double share;
        string credentials;
        string budget;
        int callsPerPage;
        try
        {
            var options = provider.GetRequiredService<IOptionsMonitor<PlatformOptions>>().Get(platform);
            budget = " " + Budget(LanePlan.For(options.RateLimit));
            shop = options.Shops.Keys.FirstOrDefault();
            (quotas, share, plan) = (QuotaPlan.For(options.RateLimit), options.RateLimit.BackfillShare, LanePlan.For(options.RateLimit));
            callsPerPage = PlatformKinds.Find(options.Kind)?.CallsInTurnPerPage(options) ?? 1;
            credentials = string.Equals(options.Kind, "lazada", StringComparison.OrdinalIgnoreCase) ? "AppKey, AppSecret" : "PartnerId, PartnerKey";
            source = provider.GetRequiredService<IOrderSources>().Get(platform);
        }
        catch (OptionsValidationException)
        {
            return DoctorCheck.Fail(check, "not called: its configuration is invalid (see the configuration row).");
        }

        if (shop is null)
        {
            return DoctorCheck.Warn(check, $"not called: no shop under Platforms:{platform}:Shops (a test call needs a shop's access token).{budget}");
        }

        var to = time.GetUtcNow();
        if (!quotas.IsEmpty)
        {
            // No scheduler grants this process calls of the quotas: the test page's calls (its list call, and a detail
            // call per batch of the orders it lists) are taken from the part left to the app's other clients, as theirs are.
            provider.GetRequiredService<IOrderSources>().QuotaGranted(platform, quotas.GrantEnd(to), callsPerPage);
        }

        var quotaText = budget + (quotas.IsEmpty ? "" : " " + Quotas(quotas, share));
        to = to.AddTicks(-(to.UtcTicks % TimeSpan.TicksPerMinute));
        using var deadline = new CancellationTokenSource(Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = time.GetTimestamp();
        try
        {
            var page = await source.FetchAsync(new PageRequest(shop, to.AddHours(-1), to, SliceCursor.Start(Datasets.Orders)), linked.Token);

            // One call's latency stands for the platform's, and a process's first call also pays for its connection: the
            // advice is an order of magnitude, said in the row, never a warning of its own.
            var latency = time.GetElapsedTime(started) / Math.Max(1, page.Calls);
            var advice = ConcurrencyAdvice.Describe(platform, plan, latency, maxInFlight).Text;
            return DoctorCheck.Ok(check, $"signed test call for shop {shop} answered in {time.GetElapsedTime(started).TotalMilliseconds:0} ms: {page.Records.Count} order(s) on the first page of the last hour, {page.Calls} call(s). {advice}{quotaText}");
        }
        catch (PlatformException e) when (e.Kind == PlatformErrorKind.Throttle)
        {
            return DoctorCheck.Warn(check, $"the platform throttled the test call for shop {shop} ({e.Code}): its rate limit is in use right now, so the credentials are not confirmed; try again later.{quotaText}");
        }
        catch (PlatformException e) when (e.Kind == PlatformErrorKind.Quota)
        {
            return DoctorCheck.Warn(check, $"the platform refused the test call for shop {shop} for its quota ({e.Code}): the app's quota is spent for now, so the credentials are not confirmed; try again after its reset.{quotaText}");
        }
        catch (PlatformException e)
        {
            var words = e.Message.StartsWith($"{platform}: {e.Code}: ", StringComparison.Ordinal) ? e.Message[$"{platform}: {e.Code}: ".Length..] : e.Message;
            var hint = e.Kind == PlatformErrorKind.Permanent
                ? $"Check Platforms:{platform}:{credentials} and Shops:{shop}:AccessToken."
                : $"Check Platforms:{platform}:BaseUrl and that the platform can be reached from here.";
            return DoctorCheck.Fail(check, $"the signed test call for shop {shop} failed: {e.Code} ({e.Kind.ToString().ToLowerInvariant()}): {words.TrimEnd('.')}. {hint}{quotaText}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DoctorCheck.Fail(check, $"the signed test call for shop {shop} got no answer within {Deadline.TotalSeconds:0} s. Check Platforms:{platform}:BaseUrl.");
        }
    }

    /// <summary>
    /// "Budget: 20/s less a safety margin of 0.1 …": the configured plan; a margin set while running (<c>backfill limit
    /// --margin</c>) is shown by <c>backfill limit</c> and the dashboard.
    /// </summary>
    internal static string Budget(LanePlan plan)
    {
        var window = plan.Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var perShop = plan.ShopCalls is { } shopCalls
            ? $"; per shop {shopCalls} per {plan.ShopWindow.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s over {plan.ShopLanes} of the lanes"
            : "";
        return $"Budget: {plan.PermitsPerSecond.ToString("0.###", CultureInfo.InvariantCulture)}/s less a safety margin of {plan.SafetyMargin.ToString("0.###", CultureInfo.InvariantCulture)} " +
            $"(RateLimit:SafetyMargin, left to the partner key's other clients such as the sellers' live sync): {plan.Calls} call(s) per {window} s in {plan.Lanes} lane(s){perShop}.";
    }

    /// <summary>"Quotas: 50000 per 1.00:00:00 from midnight Asia/Singapore (40000 for backfills, share 0.8)."</summary>
    private static string Quotas(QuotaPlan plan, double share) =>
        "Quotas: " + string.Join("; ", plan.Shapes.Select(q => $"{q.Calls} per {q.Period.ToString("c", CultureInfo.InvariantCulture)} from midnight {q.Zone.Id} ({q.Usable} for backfills, share {share.ToString(CultureInfo.InvariantCulture)})")) + ".";
}
