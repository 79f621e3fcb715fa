using System.Diagnostics;
using System.Reflection;

namespace Backfill.Benchmarks.Perf;

/// <summary>The <c>mock-cluster</c> command of this very program as a child process.</summary>
internal sealed class ClusterProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;
    private readonly TempFolder _logs;

    private ClusterProcess(ChildProcess child, TempFolder logs, string bootstrap)
    {
        _child = child;
        _logs = logs;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; }

    public static async Task<ClusterProcess> StartAsync(IEnumerable<string> namespaces, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { Assembly.GetEntryAssembly()!.Location } }
            : new ProcessStartInfo(self);
        info.ArgumentList.Add(MockClusterCommand.Name);
        foreach (var ns in namespaces)
        {
            info.ArgumentList.Add("--namespace");
            info.ArgumentList.Add(ns);
        }

        var logs = new TempFolder("backfill-perf-cluster-");
        var child = ChildProcess.Start("mock-cluster", info, logs.Path);
        try
        {
            var bootstrap = await child.WaitForLineAsync("bootstrap: ", TimeSpan.FromSeconds(60), cancellationToken);
            return new ClusterProcess(child, logs, bootstrap);
        }
        catch
        {
            child.Kill();
            await child.DisposeAsync();
            logs.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _child.StopAsync(TimeSpan.FromSeconds(10));
        await _child.DisposeAsync();
        _logs.Dispose();
    }
}
