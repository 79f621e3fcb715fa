using Backfill.Core.Data;

namespace Backfill.Core.Tests.Data;

public sealed class SliceCursorTests
{
    private const Datasets All = Datasets.Orders | Datasets.Finance | Datasets.Returns;

    [Theory]
    [InlineData(Datasets.Orders, new[] { SlicePhase.List })]
    [InlineData(Datasets.Finance, new[] { SlicePhase.List })]
    [InlineData(Datasets.Orders | Datasets.Finance, new[] { SlicePhase.List })]
    [InlineData(Datasets.Returns, new[] { SlicePhase.Returns })]
    [InlineData(All, new[] { SlicePhase.List, SlicePhase.Returns })]
    public void Phases_OneListForOrdersAndFinance_ThenReturns(Datasets data, SlicePhase[] phases) => Assert.Equal(phases, SliceCursor.Phases(data));

    [Fact]
    public void Start_IsTheFirstPhasesFirstPage()
    {
        Assert.Equal(new SliceCursor(SlicePhase.List, null), SliceCursor.Start(All));
        Assert.Equal(new SliceCursor(SlicePhase.Returns, null), SliceCursor.Start(Datasets.Returns));
        Assert.Throws<ArgumentException>(() => SliceCursor.Start(Datasets.None));
    }

    [Fact]
    public void AfterPhase_TheNextPhasesFirstPage_ThenNothing()
    {
        Assert.Equal(new SliceCursor(SlicePhase.Returns, null), new SliceCursor(SlicePhase.List, "c9").AfterPhase(All));
        Assert.Null(new SliceCursor(SlicePhase.Returns, "4").AfterPhase(All));
        Assert.Null(new SliceCursor(SlicePhase.List, "c9").AfterPhase(Datasets.Orders | Datasets.Finance));
    }

    [Theory]
    [InlineData(SlicePhase.List, "abc|def", "list|abc|def")]
    [InlineData(SlicePhase.List, null, "list|")]
    [InlineData(SlicePhase.Returns, "3", "returns|3")]
    public void Encode_ThenParse_RoundTrips(SlicePhase phase, string? page, string encoded)
    {
        var cursor = new SliceCursor(phase, page);
        Assert.Equal(encoded, cursor.Encode());
        Assert.Equal(cursor, SliceCursor.Parse(encoded, All));
    }

    [Fact]
    public void Parse_NothingIsTheStart_AndACursorWithoutAPhaseIsTheLists()
    {
        Assert.Equal(SliceCursor.Start(Datasets.Returns), SliceCursor.Parse(null, Datasets.Returns));
        Assert.Equal(SliceCursor.Start(All), SliceCursor.Parse("", All));
        Assert.Equal(new SliceCursor(SlicePhase.List, "eyJvZmZzZXQiOjIwMH0="), SliceCursor.Parse("eyJvZmZzZXQiOjIwMH0=", Datasets.Orders));
    }

    [Fact]
    public void Parse_APhaseTheSliceDoesNotHave_IsRefused()
    {
        Assert.Equal("A cursor of the returns phase does not belong to a slice of orders,finance.",
            Assert.Throws<FormatException>(() => SliceCursor.Parse("returns|2", Datasets.Orders | Datasets.Finance)).Message);
        Assert.Throws<FormatException>(() => SliceCursor.Parse("abc", Datasets.Returns));
        Assert.Equal("'payouts' is not a slice phase.", Assert.Throws<FormatException>(() => SliceCursor.Parse("payouts|1", All)).Message);
    }
}
