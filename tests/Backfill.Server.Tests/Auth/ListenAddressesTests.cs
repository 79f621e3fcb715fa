using Backfill.Server.Auth;

namespace Backfill.Server.Tests.Auth;

public sealed class ListenAddressesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080", "http://[::1]:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.0.0.2:5080")]
    public void AreLoopbackOnly_EveryAddressLoopback_IsTrue(params string[] addresses) =>
        Assert.True(ListenAddresses.AreLoopbackOnly(addresses));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("http://scheduler.internal:5080")]
    [InlineData("http://127.0.0.1:5080", "http://10.0.0.5:5080")]
    [InlineData]
    public void AreLoopbackOnly_AnyOtherAddressOrNone_IsFalse(params string[] addresses) =>
        Assert.False(ListenAddresses.AreLoopbackOnly(addresses));

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LocalHost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.3.4.5", true)]
    [InlineData("[::1]", true)]
    [InlineData("::1", true)]
    [InlineData("rebound.example", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsLoopbackHost_LoopbackNamesAndAddressesOnly(string? host, bool loopback) =>
        Assert.Equal(loopback, ListenAddresses.IsLoopbackHost(host));
}
