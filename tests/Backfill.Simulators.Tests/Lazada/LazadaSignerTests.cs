using System.Security.Cryptography;
using System.Text;
using Backfill.Simulators.Lazada;

namespace Backfill.Simulators.Tests.Lazada;

public sealed class LazadaSignerTests
{
    private static readonly Dictionary<string, string> WorkedExample = new()
    {
        ["timestamp"] = "1517820392000",
        ["app_key"] = "123456",
        ["sign_method"] = "sha256",
        ["order_id"] = "1234",
        ["access_token"] = "test",
    };

    [Fact]
    public void Message_OfLazadasWorkedExample_IsTheDocumentedText()
    {
        Assert.Equal(
            "/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000",
            LazadaSigner.Message("/order/get", WorkedExample));
    }

    [Fact]
    public void Sign_IsUppercaseHexHmacSha256OfTheMessage_KeyedWithTheSecret()
    {
        var expected = Convert.ToHexString(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("helloworld"),
            Encoding.UTF8.GetBytes("/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000")));

        var sign = LazadaSigner.Sign("helloworld", "/order/get", WorkedExample);

        Assert.Equal(expected, sign);
        Assert.Matches("^[0-9A-F]{64}$", sign);
        Assert.Equal(sign, LazadaCalls.Sign("helloworld", "/order/get", WorkedExample));
    }

    [Fact]
    public void Message_SkipsEmptyValuesAndTheSignItself_AndSortsByOrdinal()
    {
        var parameters = new Dictionary<string, string> { ["b"] = "2", ["B"] = "1", ["empty"] = "", ["sign"] = "ABC", ["a_b"] = "3" };

        Assert.Equal("/x" + "B1" + "a_b3" + "b2", LazadaSigner.Message("/x", parameters));
    }
}
