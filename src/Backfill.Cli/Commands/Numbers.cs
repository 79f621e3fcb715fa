using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Backfill.Cli.Commands;

/// <summary>
/// Numbers on the command line, read with the invariant culture. A value that is not one is a usage error naming the
/// option and the form it takes ("--days takes a whole number, e.g. 30; got 'abc'"), never the .NET type it maps to.
/// Every numeric option and argument of the CLI is made through here.
/// </summary>
internal static class Numbers
{
    public static Option<int> Whole(Option<int> option)
    {
        option.CustomParser = r => ParseWhole(r, option.Name) ?? 0;
        return option;
    }

    public static Option<int?> Whole(Option<int?> option)
    {
        option.CustomParser = r => ParseWhole(r, option.Name);
        return option;
    }

    public static Option<double> Decimal(Option<double> option)
    {
        option.CustomParser = r => ParseDecimal(r, option.Name) ?? 0;
        return option;
    }

    public static Option<double?> Decimal(Option<double?> option)
    {
        option.CustomParser = r => ParseDecimal(r, option.Name);
        return option;
    }

    public static Argument<double?> Decimal(Argument<double?> argument)
    {
        argument.CustomParser = r => ParseDecimal(r, argument.Name);
        return argument;
    }

    private static int? ParseWhole(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{name} takes a whole number, e.g. 30; got '{text}'.");
        return null;
    }

    private static double? ParseDecimal(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{name} takes a number, e.g. 2.5; got '{text}'.");
        return null;
    }
}
