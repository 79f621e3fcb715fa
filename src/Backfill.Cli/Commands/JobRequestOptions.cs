using System.CommandLine;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Commands;

/// <summary>What a job request says, for the verbs that send one (<c>start</c>, <c>estimate</c>): platform, shops, range, cadence, datasets, time field.</summary>
internal sealed class JobRequestOptions
{
    private readonly Option<string> _platform = CommonOptions.Platform();
    private readonly Option<string[]> _shops = CommonOptions.Shops();
    private readonly RangeOptions _range = new();
    private readonly Option<TimeSpan?> _releaseEvery = CommonOptions.ReleaseEvery("Release cadence of the job: every period, each shop's next slices (--slices-per-release), or auto: whenever the platform has room (default the scheduler's Backfill:ReleaseEvery).");
    private readonly Option<JobPriority?> _priority = CommonOptions.Priority("How the job shares its platform with other jobs: high, normal (default) or low; a lower one is served less, never starved.");
    private readonly Option<int?> _slicesPerRelease = CommonOptions.SlicesPerRelease();
    private readonly Option<Datasets> _data = CommonOptions.Data();
    private readonly Option<string?> _timeField = CommonOptions.TimeField();

    public void AddTo(Command command)
    {
        command.Options.Add(_platform);
        command.Options.Add(_shops);
        _range.AddTo(command);
        command.Options.Add(_releaseEvery);
        command.Options.Add(_slicesPerRelease);
        command.Options.Add(_priority);
        command.Options.Add(_data);
        command.Options.Add(_timeField);
    }

    /// <exception cref="UsageException">A day that is not <c>YYYY-MM-DD</c>.</exception>
    public CreateJobRequest Request(ParseResult parse)
    {
        var dates = _range.Dates(parse);
        return new CreateJobRequest
        {
            Platform = parse.GetValue(_platform)!,
            Shops = parse.GetValue(_shops)!,
            From = dates?.From,
            To = dates?.To,
            Days = dates is null ? parse.GetValue(_range.Days) : null,
            ReleaseEvery = parse.GetValue(_releaseEvery) is { } every ? ReleaseCadence.Format(every) : null,
            SlicesPerRelease = parse.GetValue(_slicesPerRelease),
            Priority = parse.GetValue(_priority) is { } priority ? JobPriorityNames.Name(priority) : null,
            Data = DatasetNames.Names(parse.GetValue(_data)),
            TimeField = parse.GetValue(_timeField),
        };
    }
}
