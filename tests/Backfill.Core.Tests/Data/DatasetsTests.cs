using Backfill.Core.Data;

namespace Backfill.Core.Tests.Data;

public sealed class DatasetsTests
{
    [Theory]
    [InlineData("orders", Datasets.Orders)]
    [InlineData("orders,finance", Datasets.Orders | Datasets.Finance)]
    [InlineData(" Orders , FINANCE ,returns", Datasets.Orders | Datasets.Finance | Datasets.Returns)]
    [InlineData("returns", Datasets.Returns)]
    [InlineData("finance,finance", Datasets.Finance)]
    public void Parse_Names_CaseAndSpacesAside(string names, Datasets expected) => Assert.Equal(expected, DatasetNames.Parse(names));

    [Fact]
    public void Parse_SeveralArguments_EachAList() =>
        Assert.Equal(Datasets.Orders | Datasets.Finance | Datasets.Returns, DatasetNames.Parse(["orders,returns", "finance"]));

    [Theory]
    [InlineData("order", "'order' is not a dataset; the datasets are orders, finance, returns (e.g. orders,finance).")]
    [InlineData("orders,,finance", "'' is not a dataset; the datasets are orders, finance, returns (e.g. orders,finance).")]
    [InlineData("", "'' is not a dataset; the datasets are orders, finance, returns (e.g. orders,finance).")]
    public void Parse_NotADataset_SaysWhichAndNamesTheDatasets(string names, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => DatasetNames.Parse(names)).Message);

    [Fact]
    public void Parse_Nothing_IsRefused() =>
        Assert.StartsWith("No dataset named", Assert.Throws<FormatException>(() => DatasetNames.Parse(Array.Empty<string>())).Message, StringComparison.Ordinal);

    [Fact]
    public void Format_Names_InTheSlicesOrder()
    {
        Assert.Equal("orders,finance,returns", DatasetNames.Format(Datasets.Returns | Datasets.Orders | Datasets.Finance));
        Assert.Equal(["finance", "returns"], DatasetNames.Names(Datasets.Returns | Datasets.Finance));
        Assert.Equal([Datasets.Orders, Datasets.Returns], DatasetNames.Each(Datasets.Returns | Datasets.Orders));
    }

    [Fact]
    public void IsOne_OnlyASingleDataset()
    {
        Assert.True(DatasetNames.IsOne(Datasets.Finance));
        Assert.False(DatasetNames.IsOne(Datasets.None));
        Assert.False(DatasetNames.IsOne(Datasets.Orders | Datasets.Finance));
        Assert.False(DatasetNames.IsOne((Datasets)8));
        Assert.Throws<ArgumentException>(() => DatasetNames.Name(Datasets.Orders | Datasets.Returns));
    }

    [Theory]
    [InlineData("create_time", null)]
    [InlineData("update_time", null)]
    [InlineData("pay_time", "'pay_time' is not a time field; the time fields are create_time and update_time.")]
    public void TimeFields_Problem(string field, string? problem) => Assert.Equal(problem, TimeFields.Problem(field));
}
