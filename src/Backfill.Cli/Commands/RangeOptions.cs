using System.CommandLine;

namespace Backfill.Cli.Commands;

/// <summary><c>--from YYYY-MM-DD --to YYYY-MM-DD</c> or <c>--days N</c>, one or the other, for the verbs that ask for a job.</summary>
internal sealed class RangeOptions
{
    public Option<string> From { get; } = new("--from") { Description = "First day, YYYY-MM-DD (in Backfill:TimeZone)." };

    public Option<string> To { get; } = new("--to") { Description = "Day after the last, YYYY-MM-DD (exclusive)." };

    public Option<int?> Days { get; } = CommonOptions.Positive(new Option<int?>("--days") { Description = "The N whole days before today (instead of --from/--to)." });

    /// <summary>Adds the three options and the rule that exactly one form is given.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(From);
        command.Options.Add(To);
        command.Options.Add(Days);
        command.Validators.Add(r =>
        {
            var hasRange = r.GetResult(From) is not null || r.GetResult(To) is not null;
            var hasDays = r.GetResult(Days) is not null;
            if (hasRange == hasDays)
            {
                r.AddError("Give either --from and --to, or --days.");
            }
            else if (hasRange && (r.GetResult(From) is null || r.GetResult(To) is null))
            {
                r.AddError("--from and --to go together.");
            }
        });
    }

    /// <summary>The explicit days when <c>--from</c>/<c>--to</c> were given; null with <c>--days</c>.</summary>
    /// <exception cref="UsageException">A day that is not <c>YYYY-MM-DD</c>.</exception>
    public (DateOnly From, DateOnly To)? Dates(ParseResult parse) =>
        parse.GetValue(Days) is not null ? null
        : (CommonOptions.ParseDay(parse.GetValue(From), "--from")!.Value, CommonOptions.ParseDay(parse.GetValue(To), "--to")!.Value);
}
