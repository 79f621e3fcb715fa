using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Backfill.Benchmarks.Micro;

/// <summary>
/// <c>micro [--filter GLOB]</c>: BenchmarkDotNet over the hot paths (slicer, signing, JSON contracts, lanes), a short
/// job in this process (no generated project to build), memory diagnoser on. The summary goes to stdout; BenchmarkDotNet's
/// report files to a temp folder it names at the end, not into the repository.
/// </summary>
internal static class MicroCommand
{
    public static Command Create()
    {
        var filter = new Option<string[]>("--filter") { Description = "BenchmarkDotNet filters, e.g. '*Contract*' (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("micro", "Micro-benchmarks of the hot paths with BenchmarkDotNet (short in-process job).") { filter };
        command.SetAction(parse =>
        {
            var config = ManualConfig.CreateMinimumViable()
                .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
                .WithOptions(ConfigOptions.DisableOptimizationsValidator)
                .WithArtifactsPath(Directory.CreateTempSubdirectory("backfill-micro-").FullName);
            var filters = parse.GetValue(filter) is { Length: > 0 } given ? given : ["*"];
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run(["--filter", .. filters], config);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        });
        return command;
    }
}
