namespace Backfill.Platforms.Tokens;

/// <summary>
/// A platform's token refresh, as the scheduler (the fleet's one refresher) calls it. The call counts against the
/// platform's budget like any other.
/// </summary>
public interface ITokenRefresh
{
    /// <summary>The configured platforms whose tokens this process can refresh.</summary>
    IReadOnlyCollection<string> Platforms { get; }

    /// <summary>New tokens for the shop, bought with <paramref name="refreshToken"/>.</summary>
    /// <exception cref="PlatformException">
    /// <see cref="PlatformErrorKind.Permanent"/>: the platform refused the refresh token (the seller must authorise the app
    /// again); any other kind: not answered, try again later.
    /// </exception>
    Task<RefreshedTokens> RefreshAsync(string platform, string shop, string refreshToken, CancellationToken cancellationToken);
}
