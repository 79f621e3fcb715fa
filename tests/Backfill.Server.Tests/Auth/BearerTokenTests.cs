using Backfill.Server.Auth;

namespace Backfill.Server.Tests.Auth;

public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer  abc ", "abc")]
    [InlineData("BEARER abc", "abc")]
    public void Read_BearerHeader_GivesTheToken(string header, string token) => Assert.Equal(token, BearerToken.Read(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearerabc")]
    public void Read_NoBearerToken_IsNull(string? header) => Assert.Null(BearerToken.Read(header));

    [Fact]
    public void Matches_OnlyTheSameToken()
    {
        const string Token = "0123456789abcdef-token";

        Assert.True(BearerToken.Matches(Token, Token));
        Assert.False(BearerToken.Matches(Token + "x", Token));
        Assert.False(BearerToken.Matches(Token[..^1], Token));
        Assert.False(BearerToken.Matches(Token.ToUpperInvariant(), Token));
        Assert.False(BearerToken.Matches("", Token));
    }
}
