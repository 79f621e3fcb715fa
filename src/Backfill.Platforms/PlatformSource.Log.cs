using Microsoft.Extensions.Logging;

namespace Backfill.Platforms;

internal sealed partial class PlatformSource
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Platform {Platform} throttled a call for shop {ShopId} ({Code}); no call of it starts in this process for {PauseMs} ms, then at {Factor:P0} of the budget (every worker is told)")]
        public static partial void Throttled(ILogger logger, string platform, string shopId, string code, long pauseMs, double factor);

        [LoggerMessage(Level = LogLevel.Error, Message = "Platform {Platform}: repeated throttles opened the breaker; no worker calls it until {Until:O}")]
        public static partial void BreakerOpened(ILogger logger, string platform, DateTimeOffset until);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Platform {Platform} refused a call for shop {ShopId} with {Code}: {Detail}")]
        public static partial void Refused(ILogger logger, string platform, string shopId, string code, string detail);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Platform {Platform} call for shop {ShopId} failed with {Code}: {Detail}")]
        public static partial void TransientFailure(ILogger logger, string platform, string shopId, string code, string detail);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Platform {Platform} refused the access token (version {Version}) of shop {ShopId} as expired ({Code}); the call waits for a newer one")]
        public static partial void TokenExpired(ILogger logger, string platform, string shopId, long version, string code);

        [LoggerMessage(Level = LogLevel.Information, Message = "Platform {Platform}: a newer access token than version {Version} of shop {ShopId} is here; the call is asked again")]
        public static partial void TokenRenewed(ILogger logger, string platform, string shopId, long version);

        [LoggerMessage(Level = LogLevel.Information, Message = "Platform {Platform}: calls for shop {ShopId} are signed with its access token version {Version} from now on")]
        public static partial void SigningWith(ILogger logger, string platform, string shopId, long version);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Platform {Platform} refused a call for shop {ShopId} with {Code}: the app's quota is spent; no call of it starts in this process until {Until:O}")]
        public static partial void QuotaSpent(ILogger logger, string platform, string shopId, string code, DateTimeOffset until);

        [LoggerMessage(Message = "Platform {Platform}: a call's request left this process {HeldMs} ms after its admission, more than half of RateLimit:ArrivalJitter ({MostHeldMs} ms); it {Outcome} ({Late} such calls here so far). Recurring, this process pauses longer than the jitter allows: give it more CPU or raise ArrivalJitter")]
        public static partial void LeftLate(ILogger logger, LogLevel level, string platform, long heldMs, long mostHeldMs, string outcome, long late);

        [LoggerMessage(Level = LogLevel.Information, Message = "Platform {Platform}: attempt {Attempt} of {MaxAttempts} in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, string platform, int attempt, int maxAttempts, long delayMs);
    }
}
