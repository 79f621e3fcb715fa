
namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaSignerTests
{
    private static readonly KeyValuePair<string, string>[] WorkedExample =
    [
        KeyValuePair.Create("timestamp", "1517820392000"),
        KeyValuePair.Create("order_id", "1234"),
        KeyValuePair.Create("app_key", "123456"),
        KeyValuePair.Create("sign_method", "sha256"),
        KeyValuePair.Create("access_token", "test"),
    ];

    [Fact]
    public void Message_LazadasWorkedExample_IsTheApiNameThenTheSortedPairs()
    {
        Assert.Equal(
            "/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000",
            LazadaSigner.Message("/order/get", WorkedExample));
    }

    [Fact]
    public void Sign_LazadasWorkedExample_IsUppercaseHexHmacSha256()
    {
        // printf '%s' '<the message above>' | openssl dgst -sha256 -hmac helloworld, upper-cased.
        Assert.Equal("4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A", LazadaSigner.Sign("helloworld", "/order/get", WorkedExample));
    }

    [Fact]
    public void Message_SkipsEmptyValuesAndTheSignItself()
    {
        KeyValuePair<string, string>[] parameters = [.. WorkedExample, KeyValuePair.Create("status", ""), KeyValuePair.Create("sign", "ABC")];

        Assert.Equal(LazadaSigner.Message("/order/get", WorkedExample), LazadaSigner.Message("/order/get", parameters));
    }

    [Fact]
    public void Message_SortsByOrdinalNotCulture()
    {
        // Ordinal (ASCII) order puts upper case before lower case and '_' (0x5F) before lower-case letters.
        var message = LazadaSigner.Message("/x", [KeyValuePair.Create("b", "1"), KeyValuePair.Create("a_b", "2"), KeyValuePair.Create("B", "3"), KeyValuePair.Create("ab", "4")]);

        Assert.Equal("/xB3a_b2ab4b1", message);
    }
}
