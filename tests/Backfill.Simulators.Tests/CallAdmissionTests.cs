using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

public sealed class CallAdmissionTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ZeroPermits_IsUnlimited()
    {
        var admission = new CallAdmission(0, null, _time);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(admission.TryAdmit("1", out _)));
    }

    [Fact]
    public void FractionalPermits_AdmitWholeCalls()
    {
        var admission = new CallAdmission(2.9, null, _time);

        Assert.Equal([true, true, false], Enumerable.Range(0, 3).Select(_ => admission.TryAdmit("1", out _)));
    }

    [Fact]
    public void PerShopLimit_RefusesTheBusyShop_WithoutChargingThePartnerWindow()
    {
        var admission = new CallAdmission(3, 1, _time);

        var busyFirst = admission.TryAdmit("1", out _);
        var busySecond = admission.TryAdmit("1", out _);
        var otherShop = admission.TryAdmit("2", out var inWindow);
        var thirdShop = admission.TryAdmit("3", out _);

        Assert.Equal([true, false, true, true], [busyFirst, busySecond, otherShop, thirdShop]);
        Assert.Equal(2, inWindow);
    }

    [Fact]
    public void TryAdmit_ReportsThePartnersCallsInTheWindow()
    {
        var admission = new CallAdmission(10, null, _time);
        admission.TryAdmit("1", out _);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        admission.TryAdmit("2", out var inWindow);

        Assert.Equal(2, inWindow);
    }
}
