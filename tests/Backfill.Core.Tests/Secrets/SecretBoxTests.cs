using Backfill.Core.Secrets;

namespace Backfill.Core.Tests.Secrets;

public sealed class SecretBoxTests
{
    private const string Token = "sim-access-token-1001-v7";
    private readonly SecretBox _box = SecretBox.FromBase64(SecretBox.NewKey());

    [Fact]
    public void Seal_ThenOpen_UnderTheSameContext_GivesTheSecretBack_AndTheBoxNeverHoldsItInPlainText()
    {
        var box = _box.Seal(Token, "access:shopee:1001:7");

        Assert.Equal(Token, _box.Open(box, "access:shopee:1001:7"));
        Assert.DoesNotContain(Token, System.Text.Encoding.UTF8.GetString(box), StringComparison.Ordinal);
        Assert.NotEqual(box, _box.Seal(Token, "access:shopee:1001:7"));
    }

    [Theory]
    [InlineData("access:shopee:1001:8")]
    [InlineData("refresh:shopee:1001")]
    [InlineData("access:shopee:1002:7")]
    public void Open_UnderAnotherContext_Fails_SayingWhatItIs_NeverTheSecret(string other)
    {
        var box = _box.Seal(Token, "access:shopee:1001:7");

        var failure = Assert.Throws<SecretBoxException>(() => _box.Open(box, other));

        Assert.DoesNotContain(Token, failure.Message, StringComparison.Ordinal);
        Assert.Contains("Backfill:SecretKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WithAnotherKey_OrAChangedOrCutBox_Fails()
    {
        var box = _box.Seal(Token, "c");
        var flipped = box.ToArray();
        flipped[^1] ^= 1;

        Assert.Throws<SecretBoxException>(() => SecretBox.FromBase64(SecretBox.NewKey()).Open(box, "c"));
        Assert.Throws<SecretBoxException>(() => _box.Open(flipped, "c"));
        Assert.Throws<SecretBoxException>(() => _box.Open(box[..20], "c"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not base64 !")]
    [InlineData("c2hvcnQ=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void AKeyThatIsNot32BytesOfBase64_IsRefused_WithoutQuotingIt(string key)
    {
        Assert.NotNull(SecretBox.Problem(key));
        var refused = Assert.Throws<ArgumentException>(() => SecretBox.FromBase64(key));
        if (key.Trim().Length > 0)
        {
            Assert.DoesNotContain(key.Trim(), refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NewKey_IsAUsableKey() => Assert.Null(SecretBox.Problem(SecretBox.NewKey()));

    [Fact]
    public void Fingerprint_IsTheSameForTheSameValue_KeyAndContext_AndChangesWithAnyOfThem()
    {
        var fingerprint = _box.Fingerprint(Token, "seed:shopee:1001");

        Assert.Equal(fingerprint, _box.Fingerprint(Token, "seed:shopee:1001"));
        Assert.NotEqual(fingerprint, _box.Fingerprint(Token + "x", "seed:shopee:1001"));
        Assert.NotEqual(fingerprint, _box.Fingerprint(Token, "seed:shopee:1002"));
        Assert.NotEqual(fingerprint, SecretBox.FromBase64(SecretBox.NewKey()).Fingerprint(Token, "seed:shopee:1001"));
    }

    [Fact]
    public void Fingerprint_HoldsNothingOfTheValue_NorOfTheKey()
    {
        var key = SecretBox.NewKey();

        var fingerprint = SecretBox.FromBase64(key).Fingerprint(Token, "seed:shopee:1001");

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.DoesNotContain(Token, fingerprint, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Convert.FromBase64String(key)), fingerprint, StringComparison.Ordinal);
    }
}
