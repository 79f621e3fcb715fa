using Backfill.Core.Data;
using System.Globalization;

namespace Backfill.Platforms.Configuration;

/// <summary>Checks one platform's options; every message names the full configuration key so an operator can fix it.</summary>
internal static class PlatformOptionsValidator
{
    private const int MaxPageSize = 100;

    // Polly's own bounds for a timeout and for retry delays.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTime = TimeSpan.FromDays(1);

    public static IReadOnlyList<string> Validate(string name, PlatformOptions options)
    {
        var key = $"{PlatformsConfiguration.SectionName}:{name}";
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Kind))
        {
            errors.Add($"{key}:Kind is required (supported: {Supported}).");
        }
        else if (!PlatformKinds.IsSupported(options.Kind))
        {
            errors.Add($"{key}:Kind '{options.Kind}' is not supported (supported: {Supported}).");
        }

        if (options.BaseUrl is null)
        {
            errors.Add($"{key}:BaseUrl is required.");
        }
        else if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"{key}:BaseUrl '{options.BaseUrl}' must be an absolute http or https address.");
        }

        if (PlatformKinds.Find(options.Kind) is { } adapter)
        {
            errors.AddRange(adapter.Problems(key, options));
        }

        foreach (var (shopId, shop) in options.Shops)
        {
            if (string.IsNullOrWhiteSpace(shop?.AccessToken) && string.IsNullOrWhiteSpace(shop?.RefreshToken))
            {
                errors.Add($"{key}:Shops:{shopId} needs its AccessToken or its RefreshToken (or both).");
            }
        }

        ValidateRateLimit($"{key}:RateLimit", options.RateLimit, errors);

        if (options.PageSize is < 1 or > MaxPageSize)
        {
            errors.Add($"{key}:PageSize must be between 1 and {MaxPageSize}.");
        }

        if (!TimeFields.IsKnown(options.TimeRangeField))
        {
            errors.Add($"{key}:TimeRangeField '{options.TimeRangeField}' is not supported (supported: {string.Join(", ", TimeFields.All)}).");
        }

        ValidateRetry($"{key}:Retry", options.Retry, errors);

        if (options.Timeout < MinTimeout || options.Timeout > MaxTime)
        {
            errors.Add($"{key}:Timeout must be between {MinTimeout} and {MaxTime}.");
        }

        return errors;
    }

    private static string Supported => string.Join(", ", PlatformKinds.Supported);

    private static void ValidateRateLimit(string key, RateLimitOptions? limit, List<string> errors)
    {
        if (limit is null || !(limit.PermitsPerSecond > 0) || double.IsInfinity(limit.PermitsPerSecond))
        {
            errors.Add($"{key}:PermitsPerSecond must be greater than 0.");
            return;
        }

        if (limit.SafetyMargin is < 0 or >= 1 || double.IsNaN(limit.SafetyMargin))
        {
            errors.Add($"{key}:SafetyMargin must be at least 0 and less than 1.");
            return;
        }

        if (limit.PerShopPermitsPerSecond is { } perShop && (!(perShop > 0) || double.IsInfinity(perShop)))
        {
            errors.Add($"{key}:PerShopPermitsPerSecond must be greater than 0 when set.");
        }

        // Every lane needs a whole call per window; a lane with no share could never call.
        var plan = LanePlan.For(limit);
        if (plan.Lanes < 1 || plan.Lanes > plan.LaneCalls)
        {
            var kept = plan.TokenCalls > 0 ? ", less one kept for the scheduler's token calls while Backfill:SecretKey is set" : "";
            errors.Add(
                $"{key}:Lanes must be between 1 and {plan.LaneCalls} (the whole calls per window that PermitsPerSecond " +
                $"{limit.PermitsPerSecond.ToString(CultureInfo.InvariantCulture)} allows{kept}), got {plan.Lanes}.");
        }

        if (!Enum.IsDefined(limit.Scope))
        {
            errors.Add($"{key}:Scope must be Fleet or Process.");
        }

        if (!Enum.IsDefined(limit.Counting))
        {
            errors.Add($"{key}:Counting must be Strict or Arrival.");
        }

        // A jitter of a whole window would hold each call for two windows: Strict at a latency of one window, no gain.
        if (limit.ArrivalJitter < TimeSpan.Zero || limit.ArrivalJitter >= plan.Window)
        {
            errors.Add($"{key}:ArrivalJitter must be at least 0 and less than the window ({plan.Window}), got {limit.ArrivalJitter}.");
        }

        ValidateThrottle($"{key}:Throttle", limit.Throttle, errors);
        ValidateQuotas(key, limit, errors);
    }

    private static void ValidateQuotas(string key, RateLimitOptions limit, List<string> errors)
    {
        if (limit.BackfillShare is <= 0 or > 1 || double.IsNaN(limit.BackfillShare))
        {
            errors.Add($"{key}:BackfillShare must be greater than 0 and at most 1.");
        }

        for (var i = 0; i < limit.Quotas.Count; i++)
        {
            var quota = limit.Quotas[i];
            var at = $"{key}:Quotas:{i}";
            if (quota is null)
            {
                errors.Add($"{at} is empty: give Calls, Period and ResetTimeZone.");
                continue;
            }

            if (quota.Calls < 1)
            {
                errors.Add($"{at}:Calls must be at least 1.");
            }
            else if (Math.Floor(quota.Calls * limit.BackfillShare) < 1)
            {
                errors.Add($"{at}:Calls {quota.Calls} at BackfillShare {limit.BackfillShare.ToString(CultureInfo.InvariantCulture)} leaves backfills no call.");
            }

            if (quota.Period < TimeSpan.FromSeconds(1) || quota.Period > TimeSpan.FromDays(1))
            {
                errors.Add($"{at}:Period must be between 00:00:01 and 1.00:00:00.");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(quota.ResetTimeZone ?? "", out _))
            {
                errors.Add($"{at}:ResetTimeZone '{quota.ResetTimeZone}' is not a time zone this machine knows (an IANA name such as Asia/Singapore, or UTC).");
            }
        }
    }

    private static void ValidateThrottle(string key, ThrottleOptions? throttle, List<string> errors)
    {
        if (throttle is null)
        {
            return;
        }

        if (throttle.MinPause < TimeSpan.FromMilliseconds(1) || throttle.MinPause > MaxTime)
        {
            errors.Add($"{key}:MinPause must be between 00:00:00.001 and {MaxTime}.");
        }

        if (throttle.SlowestFactor is <= 0 or > 1 || double.IsNaN(throttle.SlowestFactor))
        {
            errors.Add($"{key}:SlowestFactor must be greater than 0 and at most 1.");
        }

        if (throttle.RecoveryEvery < TimeSpan.FromMilliseconds(1) || throttle.RecoveryEvery > MaxTime)
        {
            errors.Add($"{key}:RecoveryEvery must be between 00:00:00.001 and {MaxTime}.");
        }

        if (throttle.BreakerThreshold < 1)
        {
            errors.Add($"{key}:BreakerThreshold must be at least 1.");
        }

        if (throttle.BreakerWindow <= TimeSpan.Zero || throttle.BreakerWindow > MaxTime)
        {
            errors.Add($"{key}:BreakerWindow must be positive and at most {MaxTime}.");
        }

        if (throttle.CoolOff <= TimeSpan.Zero || throttle.CoolOff > MaxTime)
        {
            errors.Add($"{key}:CoolOff must be positive and at most {MaxTime}.");
        }
    }

    private static void ValidateRetry(string key, RetryOptions? retry, List<string> errors)
    {
        if (retry is null)
        {
            return;
        }

        if (retry.MaxAttempts < 1)
        {
            errors.Add($"{key}:MaxAttempts must be at least 1.");
        }

        if (retry.BaseDelay < TimeSpan.Zero || retry.BaseDelay > MaxTime)
        {
            errors.Add($"{key}:BaseDelay must be between 00:00:00 and {MaxTime}.");
        }

        if (retry.MaxDelay < retry.BaseDelay || retry.MaxDelay > MaxTime)
        {
            errors.Add($"{key}:MaxDelay must be at least BaseDelay and at most {MaxTime}.");
        }
    }
}
