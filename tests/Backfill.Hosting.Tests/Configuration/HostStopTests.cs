using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class HostStopTests
{
    [Fact]
    public void AWorker_OfPlatformsWithTheDefaultTimeout_WaitsTheLeast() =>
        Assert.Equal(HostStop.Least, HostStop.Timeout(With(("Platforms:demo:Kind", "shopee")), BackfillRoles.Worker));

    [Fact]
    public void AWorker_WaitsTwoOfItsPlatformsLongestTimeout_AndItsCommits() =>
        Assert.Equal(
            TimeSpan.FromSeconds(90),
            HostStop.Timeout(With(("Platforms:demo:Timeout", "00:00:40"), ("Platforms:other:Timeout", "00:00:05")), BackfillRoles.Worker));

    [Fact]
    public void AScheduler_MakesNoPlatformCallToHandOver_AndWaitsTheLeast() =>
        Assert.Equal(HostStop.Least, HostStop.Timeout(With(("Platforms:demo:Timeout", "00:00:40")), BackfillRoles.Scheduler));

    [Fact]
    public void EveryHost_TakesItsShutdownTimeoutFromTheRule()
    {
        var configuration = With(("Platforms:demo:Timeout", "00:00:40"));
        using var worker = new ServiceCollection().AddBackfill(configuration, BackfillRoles.Worker).BuildServiceProvider();
        using var all = new ServiceCollection().AddBackfill(configuration, BackfillRoles.All).BuildServiceProvider();
        using var scheduler = new ServiceCollection().AddBackfill(configuration, BackfillRoles.Scheduler).BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(90), worker.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), all.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(HostStop.Least, scheduler.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private static IConfiguration With(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
