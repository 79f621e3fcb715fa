
namespace Backfill.Simulators.Tests;

public sealed class OrderCursorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(123_456)]
    public void Encode_ThenDecode_RoundTrips(int offset)
    {
        Assert.True(OrderCursor.TryDecode(OrderCursor.Encode(offset), out var decoded));
        Assert.Equal(offset, decoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Decode_Empty_IsTheFirstPage(string? cursor)
    {
        Assert.True(OrderCursor.TryDecode(cursor, out var offset));
        Assert.Equal(0, offset);
    }

    [Theory]
    [InlineData("%%%")]
    [InlineData("aGVsbG8=")]
    public void Decode_Garbage_IsRejected(string cursor) => Assert.False(OrderCursor.TryDecode(cursor, out _));

    [Fact]
    public void Encode_IsStable() => Assert.Equal(OrderCursor.Encode(200), OrderCursor.Encode(200));
}
