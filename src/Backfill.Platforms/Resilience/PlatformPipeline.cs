using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// Retry (transient failures only) around admission (throttle gate, lane and shop windows) around a per-attempt
/// timeout: every attempt, retries included, is admitted on its own, waiting to be admitted does not eat the attempt's
/// time, and the attempt holds its place in the call window until it is over.
/// </summary>
internal static class PlatformPipeline
{
    public static ResiliencePipeline Create(
        string platform,
        RetryOptions retry,
        TimeSpan timeout,
        Func<ResilienceContext, ValueTask<RateLimitLease>> admit,
        TimeProvider time,
        Action<OnRetryArguments<object>>? onRetry = null)
    {
        var builder = new ResiliencePipelineBuilder { Name = $"platform:{platform}", TimeProvider = time };

        // Polly's retry needs at least one retry; a single attempt simply has no retry strategy.
        if (retry.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PlatformException>(e => e.Kind == PlatformErrorKind.Transient),
                MaxRetryAttempts = retry.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,

                // At least BaseDelay·2ⁿ: Polly's jitter alone may retry a few milliseconds after the failure.
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryBackoff.Delay(args.AttemptNumber, retry, Jitter())),
                OnRetry = args =>
                {
                    onRetry?.Invoke(args);
                    return default;
                },
            });
        }

        return builder
            .AddRateLimiter(new RateLimiterStrategyOptions { RateLimiter = args => admit(args.Context) })
            .AddTimeout(timeout)
            .Build();
    }

    // Spreads retries of workers that failed together; nothing secret depends on it.
#pragma warning disable CA5394
    private static double Jitter() => Random.Shared.NextDouble();
#pragma warning restore CA5394
}
