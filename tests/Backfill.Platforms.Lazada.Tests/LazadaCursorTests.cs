
namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaCursorTests
{
    private const long From = 1_785_513_600;
    private const long To = From + 86_400;

    [Fact]
    public void Encode_IsCompactAndVersioned()
    {
        Assert.Equal("1:300:::", new LazadaCursor(null, 300, null, []).Encode());
        Assert.Equal("1:0:1785520000:1785520000:4000123456789,+9003199131284204", new LazadaCursor(1_785_520_000, 0, 1_785_520_000, ["9007199254740993", "4000123456789"]).Encode());
    }

    [Theory]
    [InlineData("1:300:::")]
    [InlineData("1:5000::1785513600:1")]
    [InlineData("1:0:1785520000:1785520001:4000123456789,+9003199131284204")]
    public void Decode_ReadsWhatEncodeWrote(string text)
    {
        var cursor = LazadaCursor.Decode(text, From, To, out var problem);

        Assert.Null(problem);
        Assert.Equal(text, cursor!.Encode());
    }

    [Theory]
    [InlineData("", "version 1")]
    [InlineData("2:300:::", "version 1")]
    [InlineData("1:300::", "version 1")]
    [InlineData("300", "version 1")]
    [InlineData("1:5001:::", "offset")]
    [InlineData("1:-1:::", "offset")]
    [InlineData("1:x:::", "offset")]
    [InlineData("1:0:1785513599::", "window start")]
    [InlineData("1:0:1785600000::", "window start")]
    [InlineData("1:0:1785520000:1785519999:1", "last second")]
    [InlineData("1:0::1785520000:", "do not match")]
    [InlineData("1:0:::1,2", "do not match")]
    [InlineData("1:0::1785520000:1,+0", "not distinct order ids")]
    [InlineData("1:0::1785520000:1,2", "not distinct order ids")]
    [InlineData("1:0::1785520000:18446744073709551615,+99999999999999999999", "not distinct order ids")]
    [InlineData("1:0::1785520000:1,-2", "not distinct order ids")]
    [InlineData("1:0::1785520000:123456789012345678901", "not distinct order ids")]
    [InlineData("1:0::1785520000:1.5", "not distinct order ids")]
    public void Decode_ACursorItDidNotWrite_IsRefusedWithTheReason(string text, string reason)
    {
        var cursor = LazadaCursor.Decode(text, From, To, out var problem);

        Assert.Null(cursor);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MoreOrdersOfOneSecondThanAnyWindowReaches_IsRefused()
    {
        var ids = string.Join(',', Enumerable.Range(1, LazadaPaging.WindowCapacity));

        Assert.Null(LazadaCursor.Decode($"1:0::{From}:{ids}", From, To, out _));
    }

    [Fact]
    public void ThousandsOfOrdersOfOneSecond_KeepTheCursorFarUnderTheActionLimit_AndReadBackTheSame()
    {
        var ids = Enumerable.Range(0, 5_000).Select(i => (4_000_000_000_000_000_000UL + (ulong)(i * 3)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Reverse().ToList();

        var text = new LazadaCursor(null, 0, From, ids).Encode();

        Assert.InRange(text.Length, 1, 16 * 1024);
        Assert.Equal(ids.Order(StringComparer.Ordinal), LazadaCursor.Decode(text, From, To, out _)!.TailIds.Order(StringComparer.Ordinal));
    }
}
