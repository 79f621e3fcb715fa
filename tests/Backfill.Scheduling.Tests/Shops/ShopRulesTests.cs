using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;

namespace Backfill.Scheduling.Tests.Shops;

public sealed class ShopRulesTests
{
    [Theory]
    [InlineData("shopee", "1001", null)]
    [InlineData("shopee", "", "a Shopee shop id is a decimal number, e.g. 1001")]
    [InlineData("shopee", "10a1", "a Shopee shop id is a decimal number, e.g. 1001 (got '10a1')")]
    [InlineData("shopee", "-1", "a Shopee shop id is a decimal number, e.g. 1001 (got '-1')")]
    [InlineData("shopee", "123456789012345678901", "a Shopee shop id is a decimal number, e.g. 1001 (got '12345678901234567890…')")]
    [InlineData("lazada", "seller-a", null)]
    [InlineData("lazada", "North.Store_2", null)]
    [InlineData("lazada", "seller:a", "a Lazada shop is the operator's name of a seller: 1 to 64 letters, digits, '.', '_' or '-', e.g. seller-a (got 'seller:a')")]
    [InlineData("lazada", "", "a Lazada shop is the operator's name of a seller: 1 to 64 letters, digits, '.', '_' or '-', e.g. seller-a (got '')")]
    [InlineData(null, "", "a shop is required")]
    public void ShopIdProblem_IsTheKindsRule(string? kind, string shop, string? problem) =>
        Assert.Equal(problem, ShopRules.ShopIdProblem(kind, shop));

    [Theory]
    [InlineData(ShopState.Active, "active")]
    [InlineData(ShopState.Disabled, "disabled")]
    [InlineData(ShopState.NeedsAuthorization, "needs-authorization")]
    public void StateName_IsWhatTheApiAndTheCliShow(ShopState state, string name) =>
        Assert.Equal(name, ShopRules.StateName(state));

    [Fact]
    public void EnableRefusal_AShopThatNeedsAuthorization_IsRefused_SayingHowToBringANewRefreshToken()
    {
        var refusal = ShopRules.EnableRefusal(Shop(ShopState.NeedsAuthorization));

        Assert.Equal(
            "Shop demo/1001 needs authorization: the platform refused its refresh token, so enabling it would change nothing. The seller must authorise the app again; then bring the new refresh token with 'backfill shops add demo 1001 --refresh-token -', which makes it active.",
            refusal);
        Assert.Null(ShopRules.EnableRefusal(Shop(ShopState.Disabled)));
        Assert.Null(ShopRules.EnableRefusal(Shop(ShopState.Active)));
    }

    [Fact]
    public void RemoveRefusal_NamesTheRunningOrPausedJobsOfTheShop_AndIgnoresOthers()
    {
        var jobs = new[]
        {
            Job("other-platform", "shopee", JobState.Running, "1001"),
            Job("other-shop", "demo", JobState.Running, "1002"),
            Job("run", "DEMO", JobState.Running, "1002", "1001"),
            Job("paused", "demo", JobState.Paused, "1001"),
        };

        Assert.Equal(
            "Shop demo/1001 cannot be removed while jobs of it are running or paused: run, paused. Cancel them ('backfill cancel JOB') or let them finish first.",
            ShopRules.RemoveRefusal("demo", "1001", jobs));
        Assert.Null(ShopRules.RemoveRefusal("demo", "1003", jobs));
    }

    [Fact]
    public void NotActive_NamesEachShopItsStateAndWhatToDo()
    {
        var one = ShopRules.NotActive("demo", [("1001", ShopState.Disabled)]);
        var two = ShopRules.NotActive("demo", [("1001", ShopState.Disabled), ("1002", ShopState.NeedsAuthorization)]);

        Assert.Equal("Shop 1001 of platform demo is disabled: enable it with 'backfill shops enable demo 1001'.", one);
        Assert.Equal(
            "2 shops of platform demo are not active: 1001 is disabled: enable it with 'backfill shops enable demo 1001'; 1002 needs authorization: the seller must authorise the app again, then bring the new refresh token with 'backfill shops add demo 1002 --refresh-token -'.",
            two);
    }

    private static ShopRecord Shop(ShopState state) => new() { Id = ShopRecord.MakeId("demo", "1001"), Platform = "demo", Shop = "1001", State = state };

    private static JobRecord Job(string id, string platform, JobState state, params string[] shops) => new() { Id = id, Platform = platform, State = state, Shops = [.. shops] };
}
