using Backfill.Platforms.Configuration;

namespace Backfill.Platforms;

/// <summary>
/// A platform family (<c>Platforms:{name}:Kind</c>): what differs between Shopee, Lazada and the next one. The product
/// runs every adapter under the same budget, lanes, retries and token refresher (docs/platforms.md).
/// </summary>
public interface IPlatformAdapter
{
    /// <summary>The <c>Kind</c> value that selects it, lower case (<c>shopee</c>).</summary>
    string Kind { get; }

    /// <summary>The datasets a job of this kind may pull.</summary>
    Core.Data.Datasets Datasets { get; }

    /// <summary>Why <paramref name="shop"/> cannot name a shop of this kind (Shopee's numeric id, a Lazada seller's name), or null.</summary>
    string? ShopIdProblem(string shop);

    /// <summary>
    /// What is wrong with the kind's own settings (credentials, the form of shop ids, limit shapes it does not have), each
    /// message naming the full key under <paramref name="key"/> (<c>Platforms:{name}</c>); empty when usable.
    /// </summary>
    IEnumerable<string> Problems(string key, PlatformOptions options);

    /// <summary>
    /// The calls one page of a slice makes one after another (calls it makes side by side count once), for the longest step
    /// a worker may take.
    /// </summary>
    int CallsInTurnPerPage(PlatformOptions options);

    /// <summary>The handler that signs every request of the platform's HTTP client (after the product's own handlers).</summary>
    DelegatingHandler Signer(PlatformOptions options, TimeProvider time);

    /// <summary>The pages of a platform's slices, read through <paramref name="client"/> (base address, signer and timeouts set).</summary>
    IPlatformReader Reader(string platform, PlatformOptions options, HttpClient client, TimeProvider time);

    /// <summary>The platform's token refresh, through <paramref name="client"/>.</summary>
    IPlatformTokenRefresh TokenRefresh(string platform, PlatformOptions options, HttpClient client, TimeProvider time);
}

/// <summary>Reads pages of one configured platform.</summary>
public interface IPlatformReader
{
    /// <summary>
    /// One page of <paramref name="query"/>, every call through <paramref name="calls"/>. Throws
    /// <see cref="PlatformException"/> (from a call, or <see cref="IPageCalls.Fail"/>) when the page cannot be read.
    /// </summary>
    Task<RecordPage> ReadAsync(PageQuery query, IPageCalls calls, CancellationToken cancellationToken);
}

/// <summary>One configured platform's token refresh: one attempt, within the platform's timeout.</summary>
public interface IPlatformTokenRefresh
{
    /// <summary>New tokens for <paramref name="shop"/>, bought with <paramref name="refreshToken"/>.</summary>
    /// <exception cref="PlatformException">
    /// <see cref="PlatformErrorKind.Permanent"/>: the platform refused the refresh token (the seller must authorise the app
    /// again); any other kind: not answered, try again later.
    /// </exception>
    Task<RefreshedTokens> RefreshAsync(string shop, string refreshToken, CancellationToken cancellationToken);
}

/// <summary>
/// What a refresh bought. <see cref="RefreshToken"/> is the one to keep from now on: Shopee rotates it (the one used stops
/// working), Lazada returns the same. Secret: <see cref="ToString"/> masks the tokens.
/// </summary>
public sealed record RefreshedTokens(string AccessToken, DateTimeOffset AccessExpiresAt, string RefreshToken, DateTimeOffset? RefreshExpiresAt)
{
    public override string ToString() => $"RefreshedTokens {{ AccessToken = ***, AccessExpiresAt = {AccessExpiresAt:O}, RefreshToken = ***, RefreshExpiresAt = {RefreshExpiresAt:O} }}";
}
