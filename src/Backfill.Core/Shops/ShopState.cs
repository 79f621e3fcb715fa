namespace Backfill.Core.Shops;

/// <summary>Whether a shop's jobs may run.</summary>
public enum ShopState
{
    /// <summary>Jobs may be created and run; its tokens are refreshed.</summary>
    Active,

    /// <summary>Turned off by an operator: no new job, no refresh; its tokens are kept.</summary>
    Disabled,

    /// <summary>The platform refused its refresh token: its seller must authorise the app again (a new refresh token).</summary>
    NeedsAuthorization,
}
