using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class ScheduleConfigurationTests
{
    [Fact]
    public void ValidSchedules_HaveNoErrors()
    {
        var errors = ConfigurationCheck.Validate(With(("0:Name", "orders-nightly"), ("0:Cron", "0 30 2 * * ?"), ("0:TimeZone", "Asia/Taipei"), ("0:Platform", "DEMO"), ("0:Shops:0", "10001"), ("0:DaysBack", "3"), ("0:ReleaseEvery", "00:01:00"),
            ("1:Name", "weekly"), ("1:Cron", "0 0 4 ? * SUN"), ("1:Platform", "demo"), ("1:Shops:0", "10002")));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("0:Cron", "0 30 25 * * ?", "Schedules:0 (nightly): Cron '0 30 25 * * ?' is not a Quartz cron expression")]
    [InlineData("0:Cron", "30 2 * * *", "Schedules:0 (nightly): Cron '30 2 * * *' is not a Quartz cron expression")]
    [InlineData("0:Cron", "", "Schedules:0 (nightly): Cron is required")]
    [InlineData("0:TimeZone", "Mars/Olympus", "Schedules:0 (nightly): TimeZone: unknown time zone 'Mars/Olympus'")]
    [InlineData("0:Platform", "lazada", "Schedules:0 (nightly): Platform 'lazada' is not configured under Platforms: (configured: demo).")]
    [InlineData("0:Shops:0", "", "Schedules:0 (nightly): Shops needs at least one shop id")]
    [InlineData("0:DaysBack", "0", "Schedules:0 (nightly): DaysBack must be between 1 and 3660")]
    [InlineData("0:ReleaseEvery", "-00:01:00", "Schedules:0 (nightly): ReleaseEvery: '-00:01:00' is not a cadence: a period must be positive")]
    [InlineData("0:ReleaseEvery", "soon", "Schedules:0 (nightly): ReleaseEvery: 'soon' is not a cadence: write auto or HH:MM:SS")]
    [InlineData("0:Priority", "urgent", "Schedules:0 (nightly): Priority must be high, normal or low (got 'urgent').")]
    [InlineData("0:Name", "night ly", "Schedules:0:Name 'night ly' must be letters, digits")]
    [InlineData("0:Name", "API", "Schedules:0 (API): the name is reserved for jobs started by hand (cli, api, demo)")]
    [InlineData("0:DayBack", "2", "'DayBack'")]
    [InlineData("0:DaysBack", "two", "Schedules:0:DaysBack")]
    [InlineData("0:Data", "orders,refunds", "Schedules:0:Data: 'refunds' is not a dataset; the datasets are orders, finance, returns")]
    [InlineData("0:Data:1", "refunds", "Schedules:0:Data: 'refunds' is not a dataset")]
    [InlineData("0:TimeField", "paid_time", "Schedules:0:TimeField: 'paid_time' is not a time field; the time fields are create_time and update_time.")]
    [InlineData("0:Shops:0", "99999", "Schedules:0 (nightly): Shops 99999 is not configured for platform demo; add Platforms:demo:Shops:{id}:AccessToken or remove it from the schedule.")]
    public void InvalidSchedule_IsAnErrorNamingTheScheduleAndTheValue(string key, string value, string error)
    {
        var settings = Nightly().Where(s => s.Key != key).Append((key, value)).ToArray();

        var errors = ConfigurationCheck.Validate(With(settings));

        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Data_AsAListOrACommaString_AndTimeField_AreTakenAsTheJobsWillBe()
    {
        var configuration = With([.. Nightly(), ("0:Data", "orders, finance"), ("0:TimeField", "update_time"), ("1:Name", "returns"), ("1:Cron", "0 0 3 * * ?"), ("1:Platform", "demo"), ("1:Shops:0", "10002"), ("1:Data:0", "returns"), ("1:Data:1", "orders")]);

        Assert.Empty(ConfigurationCheck.Validate(configuration));
        var schedules = configuration.GetSection("Schedules").GetChildren().Select(item => Scheduling.Nightly.ScheduleOptions.Bind(item, strict: true)).ToList();
        Assert.Equal((Core.Data.Datasets.Orders | Core.Data.Datasets.Finance, "update_time"), (schedules[0].Datasets(), schedules[0].TimeField));
        Assert.Equal((Core.Data.Datasets.Orders | Core.Data.Datasets.Returns, (string?)null), (schedules[1].Datasets(), schedules[1].TimeField));
        Assert.Equal(Core.Data.Datasets.Orders, Scheduling.Nightly.ScheduleOptions.Bind(configuration.GetSection("Schedules:0:Nothing"), strict: false).Datasets());
    }

    [Fact]
    public void DaysBack_OfMoreSlicesThanAJobMayHave_IsRefused()
    {
        var settings = With([.. Nightly(), ("0:DaysBack", "40")]);
        settings["Backfill:MaxSlicesPerJob"] = "30";

        Assert.Equal(["Schedules:0 (nightly): DaysBack 40 makes jobs of more slices than Backfill:MaxSlicesPerJob (30); lower DaysBack or raise the limit."], ConfigurationCheck.Validate(settings));
    }

    [Fact]
    public void DuplicateNames_AreRefused_WhateverTheirCase()
    {
        var errors = ConfigurationCheck.Validate(With([.. Nightly(), ("1:Name", "NIGHTLY"), ("1:Cron", "0 0 3 * * ?"), ("1:Platform", "demo"), ("1:Shops:0", "10002")]));

        Assert.Equal(["Schedules:1 (NIGHTLY): the name is also used by Schedules:0; schedule names must be unique."], errors);
    }

    private static (string Key, string Value)[] Nightly() =>
        [("0:Name", "nightly"), ("0:Cron", "0 30 2 * * ?"), ("0:Platform", "demo"), ("0:Shops:0", "10001")];

    private static IConfiguration With(params (string Key, string Value)[] schedules)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platforms:demo:Kind"] = "shopee",
            ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:5090/",
            ["Platforms:demo:PartnerId"] = "1",
            ["Platforms:demo:PartnerKey"] = "key",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "10",
            ["Platforms:demo:Shops:10001:AccessToken"] = "t1",
            ["Platforms:demo:Shops:10002:AccessToken"] = "t2",
        };
        foreach (var (key, value) in schedules)
        {
            settings[$"Schedules:{key}"] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
