
namespace Backfill.Simulators.Tests;

public sealed class OrderContentTests
{
    private static readonly IReadOnlyList<SimulatedOrder> Orders =
        [.. Enumerable.Range(0, 30).SelectMany(d => new OrderCatalog(42).OrdersOn("10001", new DateOnly(2024, 1, 1).AddDays(d)))];

    [Fact]
    public void Of_SameSeedShopAndOrder_IsTheSameContent()
    {
        var first = Orders.Select(o => OrderContent.Of(42, "10001", o)).ToList();
        var again = Orders.Select(o => OrderContent.Of(42, "10001", o)).ToList();

        Assert.Equal(first.Select(c => (c.BuyerUsername, c.Escrow, c.Return?.ReturnSn)), again.Select(c => (c.BuyerUsername, c.Escrow, c.Return?.ReturnSn)));
        Assert.Equal(first.SelectMany(c => c.Items), again.SelectMany(c => c.Items));
        Assert.NotEqual(first.Select(c => c.Escrow), Orders.Select(o => OrderContent.Of(43, "10001", o).Escrow));
    }

    [Fact]
    public void HasReturn_AgreesWithTheWholeContent()
    {
        Assert.All(Orders, o => Assert.Equal(OrderContent.Of(42, "10001", o).Return is not null, OrderContent.HasReturn(42, "10001", o)));
    }

    [Fact]
    public void Returns_ComeOneToFiveDaysAfterTheirOrder_AndRefundWhatTheyTakeBack()
    {
        var returned = Orders.Select(o => (Order: o, Content: OrderContent.Of(42, "10001", o))).Where(x => x.Content.Return is not null).ToList();

        Assert.NotEmpty(returned);
        Assert.All(returned, x =>
        {
            var r = x.Content.Return!;
            Assert.InRange(r.CreateTime - x.Order.CreateTime, 86_400, (long)OrderContent.MaxReturnDelay.TotalSeconds);
            Assert.True(r.UpdateTime >= r.CreateTime);
            Assert.Equal(r.RefundAmount, r.Items.Sum(i => x.Content.Items.Single(item => item.ModelId == i.ModelId).DiscountedPrice * i.Amount));
            Assert.Equal(-r.RefundAmount, x.Content.Escrow.SellerReturnRefund);
        });
    }

    [Fact]
    public void Items_HaveOneToFiveOfEachModel_AtNoMoreThanTheOriginalPrice()
    {
        Assert.All(Orders.SelectMany(o => OrderContent.Of(42, "10001", o).Items), i =>
        {
            Assert.InRange(i.Quantity, 1, 5);
            Assert.InRange(i.DiscountedPrice, 0.01m, i.OriginalPrice);
        });
    }
}
