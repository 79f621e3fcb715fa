
namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaPagingTests
{
    private const long Day = 1_785_513_600;

    private static ListedOrder Order(long id, long second) => new(id.ToString(System.Globalization.CultureInfo.InvariantCulture), second);

    [Fact]
    public void Next_AShortPage_IsTheLast()
    {
        var step = LazadaPaging.Next(LazadaCursor.Start, [Order(1, Day), Order(2, Day + 1)], 100, null);

        Assert.Null(step.Problem);
        Assert.Equal(["1", "2"], step.Fresh.Select(o => o.Id));
        Assert.Null(step.Next);
    }

    [Fact]
    public void Next_AFullPage_ContinuesAtTheNextOffset_RememberingTheLastSecondsOrders()
    {
        var step = LazadaPaging.Next(LazadaCursor.Start, [Order(1, Day), Order(2, Day + 1), Order(3, Day + 1)], 3, null);

        Assert.Equal(new LazadaCursor(null, 3, Day + 1, ["2", "3"]).Encode(), step.Next!.Encode());
    }

    [Fact]
    public void Next_AFullPageThatReachesTheTotal_IsTheLast()
    {
        var step = LazadaPaging.Next(new LazadaCursor(null, 3, Day, ["9"]), [Order(1, Day + 1), Order(2, Day + 2), Order(3, Day + 2)], 3, countTotal: 6);

        Assert.Null(step.Next);
    }

    [Fact]
    public void Next_WhenTheNextOffsetWouldPassTheCap_ContinuesFromTheLastSecondAtOffsetZero()
    {
        var at = new LazadaCursor(null, 5_000, Day + 7, ["70"]);

        var step = LazadaPaging.Next(at, [.. Enumerable.Range(0, 50).Select(i => Order(100 + i, Day + 8 + (i / 10)))], 50, null);

        var expected = new LazadaCursor(Day + 12, 0, Day + 12, [.. Enumerable.Range(140, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.Equal(expected.Encode(), step.Next!.Encode());
        Assert.Equal(50, step.Fresh.Count);
    }

    [Fact]
    public void Next_AtOffsetTheCap_StillReadsThatPage()
    {
        var step = LazadaPaging.Next(new LazadaCursor(null, 4_900, null, []), [.. Enumerable.Range(0, 100).Select(i => Order(i + 1, Day + i))], 100, null);

        Assert.Equal(5_000, step.Next!.Offset);
        Assert.Null(step.Next.Window);
    }

    [Fact]
    public void Next_DropsTheOrdersOfTheWindowsFirstSecondHandedOnBefore()
    {
        var at = new LazadaCursor(Day, 0, Day, ["5", "6"]);

        var step = LazadaPaging.Next(at, [Order(6, Day), Order(7, Day), Order(5, Day), Order(8, Day + 1)], 100, null);

        Assert.Equal(["7", "8"], step.Fresh.Select(o => o.Id));
    }

    [Fact]
    public void Next_AnOrderListedTwice_IsHandedOnOnce()
    {
        var step = LazadaPaging.Next(LazadaCursor.Start, [Order(1, Day), Order(1, Day), Order(2, Day)], 100, null);

        Assert.Equal(["1", "2"], step.Fresh.Select(o => o.Id));
    }

    [Fact]
    public void Next_AListNotInAscendingOrder_IsABadResponse()
    {
        var step = LazadaPaging.Next(LazadaCursor.Start, [Order(1, Day + 5), Order(2, Day + 4)], 100, null);

        Assert.Equal((PlatformErrorKind.Transient, "bad_response"), (step.Problem!.Kind, step.Problem.Code));
        Assert.Empty(step.Fresh);
    }

    [Fact]
    public void Next_AnOrderBeforeTheWindow_IsABadResponse()
    {
        var step = LazadaPaging.Next(new LazadaCursor(Day + 5, 0, Day + 5, ["1"]), [Order(2, Day + 4)], 100, null);

        Assert.Equal("bad_response", step.Problem!.Code);
    }

    [Fact]
    public void Next_ASecondNoWindowCanMovePast_FailsPermanently_InsteadOfLooping()
    {
        var handedOn = Enumerable.Range(1, 5_050).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var at = new LazadaCursor(Day, 5_000, Day, handedOn);

        var step = LazadaPaging.Next(at, [.. Enumerable.Range(10_000, 100).Select(i => Order(i, Day))], 100, null);

        Assert.Equal((PlatformErrorKind.Permanent, "second_too_busy"), (step.Problem!.Kind, step.Problem.Code));
        Assert.Contains("5150 orders share the second", step.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_ASecondNoWindowOfSmallPagesCanMovePast_FailsToo()
    {
        // Pages of 7 reach offsets up to 4,998: 5,005 orders a window.
        var handedOn = Enumerable.Range(1, 4_998).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var step = LazadaPaging.Next(new LazadaCursor(Day, 4_998, Day, handedOn), [.. Enumerable.Range(10_000, 7).Select(i => Order(i, Day))], 7, null);

        Assert.Equal(5_005, LazadaPaging.Capacity(7));
        Assert.Equal("second_too_busy", step.Problem!.Code);
    }

    public static TheoryData<int, int, int> Days => new()
    {
        // orders, of which in one busy second, page size
        { 5_100, 0, 100 },
        { 5_101, 0, 100 },
        { 12_345, 0, 100 },
        { 7_000, 300, 100 },
        { 7_000, 3_000, 100 },
        { 6_000, 5_099, 100 },
        { 5_200, 60, 7 },
    };

    [Theory]
    [MemberData(nameof(Days))]
    public void Paging_ADayPastTheOffsetCap_HandsOnEveryOrderOnce_WhateverTheOrderWithinASecond(int orders, int inOneSecond, int limit)
    {
        var platform = new OffsetCappedList(orders, inOneSecond);
        var handedOn = new List<string>();
        var at = LazadaCursor.Start;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, "the paging did not end");
            var listed = platform.Page(at.Window ?? Day, at.Offset, limit);
            var step = LazadaPaging.Next(at, listed, limit, platform.CountFrom(at.Window ?? Day));
            Assert.Null(step.Problem);
            handedOn.AddRange(step.Fresh.Select(o => o.Id));
            if (step.Next is null)
            {
                break;
            }

            // Through its text, as the product stores it between pages.
            at = LazadaCursor.Decode(step.Next.Encode(), Day, Day + 86_400, out var problem) ?? throw new InvalidOperationException(problem);
        }

        Assert.Equal(orders, handedOn.Count);
        Assert.Equal(platform.Ids.Order(StringComparer.Ordinal), handedOn.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A day of orders as Lazada lists them: sorted by second only (orders of one second in an order of the platform's, not
    /// by id), an offset above 5,000 refused.
    /// </summary>
    private sealed class OffsetCappedList
    {
        private readonly List<ListedOrder> _orders;

        public OffsetCappedList(int count, int inOneSecond)
        {
            var random = new Random(count + inOneSecond);
            _orders = [.. Enumerable.Range(0, count)
                .Select(i => Order(9_007_199_254_740_993L + (i * 7L), i < inOneSecond ? Day + 3_600 : Day + random.Next(0, 86_400)))
                .OrderBy(o => o.Second)
                .ThenBy(o => o.Id.GetHashCode(StringComparison.Ordinal))];
        }

        public IEnumerable<string> Ids => _orders.Select(o => o.Id);

        public long CountFrom(long after) => _orders.Count(o => o.Second >= after);

        public List<ListedOrder> Page(long after, int offset, int limit)
        {
            Assert.InRange(offset, 0, LazadaPaging.MaxOffset);
            return [.. _orders.Where(o => o.Second >= after).Skip(offset).Take(limit)];
        }
    }
}
