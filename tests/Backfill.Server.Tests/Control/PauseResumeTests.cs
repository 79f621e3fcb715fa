using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Server.Tests.Control;

/// <summary>
/// Pause holds a job's releases from the moment it returns; resume lets them go on at the job's cadence; a new cadence
/// holds from the next release. The scheduler (Quartz included) runs on a fake clock the test moves: a release tick
/// happens only when the test advances it by a period, and the log tells when a tick held back and why.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PauseResumeTests
{
    private static readonly TimeSpan Cadence = TimeSpan.FromMilliseconds(200);

    /// <summary>A period's batch of the job: one slice of each of its two shops.</summary>
    private const string Batch = "released 2 of the 2 slice(s) of its share";

    [Fact]
    public async Task Pause_HoldsEveryReleaseAfterIt_AndResume_ContinuesAtTheCadence()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var logs = new LogCapture();
        await using var harness = await ServerHarness.StartAsync(services: s => s.AddSingleton<TimeProvider>(time), logs: logs);
        var id = await CancelTests.CreateAsync(harness, new DateOnly(2024, 3, 1), 10, releaseEvery: "00:00:00.200", slicesPerRelease: 1);
        await WaitReleasedAsync(harness, id, 2);
        await TickAsync(time, logs, id, Batch, times: 2);
        Assert.Equal(4, await ReleasedAsync(harness, id));

        using (var paused = await harness.Http.PostAsync($"/api/jobs/{id}/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        for (var tick = 1; tick <= 5; tick++)
        {
            await TickAsync(time, logs, id, "nothing released (job is Paused)", times: tick);
            Assert.Equal(4, await ReleasedAsync(harness, id));
        }

        using (var resumed = await harness.Http.PostAsync($"/api/jobs/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }

        // Overdue after the pause: the next release goes at once (one batch, never a burst), then one per period again.
        await WaitReleasedAsync(harness, id, 6);
        await TickAsync(time, logs, id, Batch, times: 4);
        Assert.Equal(8, await ReleasedAsync(harness, id));
        await TickAsync(time, logs, id, Batch, times: 5);
        Assert.Equal(10, await ReleasedAsync(harness, id));
    }

    [Fact]
    public async Task Set_NewCadence_TakesEffectFromTheNextRelease()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var logs = new LogCapture();
        await using var harness = await ServerHarness.StartAsync(services: s => s.AddSingleton<TimeProvider>(time), logs: logs);
        var id = await CancelTests.CreateAsync(harness, new DateOnly(2024, 3, 1), 10, releaseEvery: "01:00:00", slicesPerRelease: 1);
        await WaitReleasedAsync(harness, id, 2);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, await ReleasedAsync(harness, id));

        var (code, stdout, stderr) = await CliRunner.RunAsync("set", id, "--release-every", "00:00:00.200", "--slices-per-release", "3", "--server", harness.BaseUrl.ToString());

        Assert.True(code == 0, stderr);
        Assert.Equal($"Job {id}: 3 slice(s) of each shop released every 00:00:00.2000000, priority normal, from its next release.", stdout.Trim());
        await WaitReleasedAsync(harness, id, 8);
        await TickAsync(time, logs, id, "released 6 of the 6 slice(s) of its share", times: 2);
        Assert.Equal(14, await ReleasedAsync(harness, id));
    }

    private static async Task<int> ReleasedAsync(ServerHarness harness, string id) =>
        (await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("slices").GetProperty("released").GetInt32();

    private static Task WaitReleasedAsync(ServerHarness harness, string id, int released) =>
        Poll.Eventually(async () => await ReleasedAsync(harness, id) >= released, TimeSpan.FromSeconds(20), $"{released} slices released");

    /// <summary>Moves the clock one period and waits until the job's release ticks have ended <paramref name="times"/> times as <paramref name="outcome"/> says.</summary>
    private static Task TickAsync(FakeTimeProvider time, LogCapture logs, string id, string outcome, int times)
    {
        time.Advance(Cadence);
        return Poll.Eventually(() => Task.FromResult(Count(logs, id, outcome) >= times), TimeSpan.FromSeconds(20), $"release ticks of {id} ending '{outcome}' {times} times");
    }

    private static int Count(LogCapture logs, string id, string outcome) =>
        logs.Lines.Count(l => l.Contains($"Job {id}: {outcome}", StringComparison.Ordinal));
}
