using Backfill.Core.Secrets;
using Backfill.Core.Shops;

namespace Backfill.Core.Tests.Shops;

public sealed class ShopTokenSealTests
{
    private readonly ShopTokenSeal _seal = ShopTokenSeal.From(SecretBox.NewKey());

    [Fact]
    public void AnAccessToken_OpensOnlyAsTheShopsTokenOfItsVersion_PlatformNamesIgnoringCase()
    {
        var sealedToken = _seal.SealAccess("Demo", "10001", 3, "access-secret");

        Assert.Equal("access-secret", _seal.OpenAccess("demo", "10001", 3, sealedToken));
        Assert.Throws<SecretBoxException>(() => _seal.OpenAccess("demo", "10001", 4, sealedToken));
        Assert.Throws<SecretBoxException>(() => _seal.OpenAccess("demo", "10002", 3, sealedToken));
        Assert.Throws<SecretBoxException>(() => _seal.OpenRefresh("demo", "10001", sealedToken));
    }

    [Fact]
    public void ARefreshToken_OpensOnlyUnderTheSameKey()
    {
        var sealedToken = _seal.SealRefresh("demo", "10001", "refresh-secret");

        Assert.Equal("refresh-secret", _seal.OpenRefresh("demo", "10001", sealedToken));
        Assert.Throws<SecretBoxException>(() => ShopTokenSeal.From(SecretBox.NewKey()).OpenRefresh("demo", "10001", sealedToken));
    }

    [Fact]
    public void WithoutAKey_NothingIsSealed()
    {
        Assert.Same(ShopTokenSeal.None, ShopTokenSeal.From(""));
        Assert.Same(ShopTokenSeal.None, ShopTokenSeal.From(null));
        Assert.False(ShopTokenSeal.None.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => ShopTokenSeal.None.SealRefresh("demo", "10001", "refresh-secret"));
    }
}
