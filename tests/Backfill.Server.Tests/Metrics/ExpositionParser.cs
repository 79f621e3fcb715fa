using System.Globalization;
using System.Text;

namespace Backfill.Server.Tests.Metrics;

/// <summary>
/// A strict reader of Prometheus' text format 0.0.4, written from its specification for the tests: every line must be
/// a HELP, a TYPE or a sample; a family's HELP and TYPE come once, before its samples; a sample belongs to the family
/// last typed; a series appears once; values are Go floats. Any breach throws <see cref="FormatException"/>.
/// </summary>
internal sealed class ExpositionParser
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private ExpositionParser(Dictionary<string, Family> families) => Families = families;

    public IReadOnlyDictionary<string, Family> Families { get; }

    public static ExpositionParser Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        Family? current = null;
        var number = 0;
        foreach (var line in text.Split('\n')[..^1])
        {
            number++;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var (name, help) = Split(line["# HELP ".Length..], number);
                var family = Get(families, name);
                if (family.Help is not null || family.Samples.Count > 0)
                {
                    throw new FormatException($"line {number}: second HELP or HELP after samples of {name}");
                }

                family.Help = Unescape(help, quotes: false, number);
                current = family;
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var (name, type) = Split(line["# TYPE ".Length..], number);
                var family = Get(families, name);
                if (family.Type is not null || family.Samples.Count > 0 || !Types.Contains(type))
                {
                    throw new FormatException($"line {number}: bad or repeated TYPE '{type}' of {name}");
                }

                family.Type = type;
                current = family;
            }
            else if (line.StartsWith('#') || line.Length == 0)
            {
                throw new FormatException($"line {number}: comments and blank lines are not written by this server: '{line}'");
            }
            else
            {
                var sample = Sample(line, number);
                if (current is null || current.Name != sample.Name || current.Type is null || current.Help is null)
                {
                    throw new FormatException($"line {number}: sample {sample.Name} outside its family's HELP/TYPE block");
                }

                if (current.Samples.Any(s => s.Labels.SequenceEqual(sample.Labels)))
                {
                    throw new FormatException($"line {number}: series repeated: {line}");
                }

                current.Samples.Add(sample);
            }
        }

        return new ExpositionParser(families);
    }

    /// <summary>The value of the one series of <paramref name="name"/> with exactly these labels.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var family = Families.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"no family {name}");
        var wanted = labels.OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
        var sample = family.Samples.SingleOrDefault(s => s.Labels.SequenceEqual(wanted))
            ?? throw new KeyNotFoundException($"no series {name}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}; has {family.Samples.Count}");
        return sample.Value;
    }

    public IEnumerable<ParsedSample> Samples(string name) => Families.TryGetValue(name, out var f) ? f.Samples : [];

    private static Family Get(Dictionary<string, Family> families, string name)
    {
        if (!IsName(name, colons: true))
        {
            throw new FormatException($"'{name}' is not a metric name");
        }

        if (!families.TryGetValue(name, out var family))
        {
            family = new Family(name);
            families.Add(name, family);
        }

        return family;
    }

    private static (string Name, string Text) Split(string text, int number)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space <= 0 ? throw new FormatException($"line {number}: no text after the name") : (text[..space], text[(space + 1)..]);
    }

    private static ParsedSample Sample(string line, int number)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        if (!IsName(name, colons: true))
        {
            throw new FormatException($"line {number}: '{name}' is not a metric name");
        }

        var labels = new List<(string Name, string Value)>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                if (!IsName(label, colons: false) || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {number}: bad label '{label}'");
                }

                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {number}: bad escape \\{line[j]}"),
                        });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                if (labels.Any(l => l.Name == label))
                {
                    throw new FormatException($"line {number}: label {label} repeated");
                }

                labels.Add((label, value.ToString()));
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"line {number}: expected , or }} after a label");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {number}: no value");
        }

        var text = line[(i + 1)..];
        var parsed = text switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ when text.Contains(' ', StringComparison.Ordinal) => throw new FormatException($"line {number}: this server writes no timestamps"),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
            _ => throw new FormatException($"line {number}: '{text}' is not a float"),
        };
        return new ParsedSample(name, [.. labels.OrderBy(l => l.Name, StringComparer.Ordinal)], parsed);
    }

    private static string Unescape(string text, bool quotes, int number)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quotes => '"',
                _ => throw new FormatException($"line {number}: bad escape"),
            } : throw new FormatException($"line {number}: trailing backslash"));
        }

        return result.ToString();
    }

    private static bool IsName(string name, bool colons) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (colons && c == ':'));

    internal sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Help { get; set; }

        public string? Type { get; set; }

        public List<ParsedSample> Samples { get; } = [];
    }
}

internal sealed record ParsedSample(string Name, IReadOnlyList<(string Name, string Value)> Labels, double Value);
