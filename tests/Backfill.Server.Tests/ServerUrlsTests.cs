namespace Backfill.Server.Tests;

public sealed class ServerUrlsTests
{
    [Fact]
    public void Parse_SeveralUrls_SplitsOnSemicolons()
    {
        Assert.Equal([new Uri("http://127.0.0.1:5080"), new Uri("http://[::1]:5080")], ServerUrls.Parse("http://127.0.0.1:5080; http://[::1]:5080"));
    }

    [Theory]
    [InlineData("https://127.0.0.1:5080")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080/api")]
    [InlineData(" ; ")]
    public void Parse_NotAPlainHttpUrl_SaysWhatToUse(string urls)
    {
        var e = Assert.Throws<ArgumentException>(() => ServerUrls.Parse(urls));

        Assert.Contains("http://127.0.0.1:5080", e.Message, StringComparison.Ordinal);
    }
}
