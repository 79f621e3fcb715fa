using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Backfill.Server.Api;

/// <summary>A request body: the typed value, or in the request's own terms what is wrong with it.</summary>
/// <param name="Unreadable">Set when the body is not a JSON object at all.</param>
/// <param name="Errors">Member name (as the JSON names it) → what is wrong with it.</param>
internal sealed record BodyReading<T>(T? Value, string? Unreadable, IReadOnlyDictionary<string, string[]> Errors)
    where T : class
{
    public static BodyReading<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, null, errors);

    public static BodyReading<T> Read(T value) => new(value, null, new Dictionary<string, string[]>());

    /// <summary>This reading's failure as the reading of what <typeparamref name="T"/> was to become.</summary>
    public BodyReading<TOther> Failed<TOther>()
        where TOther : class => new(null, Unreadable, Errors);
}

/// <summary>
/// Reads request bodies into their typed records with System.Text.Json, strictly: a member the record does not have, a
/// member given twice, a missing required member or a null where the record allows none is refused, never ignored. Then
/// the record's data annotations (<see cref="Validator"/>) are checked. Every mistake is told in the request's own terms:
/// the member as JSON names it, the form it takes (the property's <see cref="DescriptionAttribute"/>, which the OpenAPI
/// document shows too) and what was sent, never a .NET type name. A member marked <see cref="PasswordPropertyTextAttribute"/>
/// is never quoted back.
/// </summary>
internal static class StrictBody
{
    private const int MaxQuoted = 80;

    /// <summary>Web defaults (camelCase, names matched case-insensitively) made strict: a number is a JSON number, never a string of digits.</summary>
    public static readonly JsonSerializerOptions Options = Strict(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary><see cref="Options"/> without required members: for finding the other mistakes once one is missing.</summary>
    private static readonly JsonSerializerOptions Lenient = new(Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NothingRequired } },
    };

    /// <summary>Makes <paramref name="options"/> strict, as every request body is read (also the ones the framework reads).</summary>
    public static JsonSerializerOptions Strict(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        return options;
    }

    /// <summary>The whole body (Kestrel bounds its size).</summary>
    public static async Task<ReadOnlyMemory<byte>> BufferAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        return body.GetBuffer().AsMemory(0, (int)body.Length);
    }

    /// <param name="example">A body that would be accepted, shown when this one is not a JSON object.</param>
    /// <param name="emptyIsObject">True where an empty body means <c>{}</c>.</param>
    /// <param name="where">Where a member the record lacks is not one, e.g. "of a job request".</param>
    public static BodyReading<T> Read<T>(ReadOnlyMemory<byte> body, string example, bool emptyIsObject = false, string where = "here")
        where T : class
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            if (!emptyIsObject)
            {
                return new(null, $"The body is empty; send a JSON object such as {example}.", NoErrors);
            }

            body = "{}"u8.ToArray();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new(null, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send an object such as {example}.", NoErrors);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new(null, $"The body is a JSON {Kind(root)}, not an object; send an object such as {example}.", NoErrors);
            }

            var members = Options.GetTypeInfo(typeof(T)).Properties;
            var errors = new MemberErrors();
            var value = Deserialize<T>(root, members, errors, where);
            if (value is not null)
            {
                var results = new List<ValidationResult>();
                Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
                foreach (var result in results)
                {
                    var member = members.FirstOrDefault(m => result.MemberNames.Contains(Clr(m)));
                    var name = member?.Name ?? "body";
                    if (!errors.Has(name))
                    {
                        errors.Add(name, $"{result.ErrorMessage}{Sent(root, member)}.");
                    }
                }
            }

            return errors.HasErrors ? BodyReading<T>.Invalid(errors.ToDictionary()) : new(value, null, NoErrors);
        }
    }

    /// <summary>
    /// The body as <typeparamref name="T"/>. System.Text.Json stops at the first member it refuses; that member is told
    /// and left out, and the rest read again, so every refused member is named at once. Once a required member is missing
    /// the rest are read without requiring it, so the value (then incomplete, with errors) can still be validated.
    /// </summary>
    private static T? Deserialize<T>(JsonElement root, IList<JsonPropertyInfo> members, MemberErrors errors, string where)
        where T : class
    {
        var left = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var options = Options;
        for (var tries = 0; tries <= root.GetPropertyCount() + 1; tries++)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(Without(root, left), options);
            }
            catch (JsonException e)
            {
                if (Member(e.Path) is { } name && left.Add(name))
                {
                    Explain(name, root, members, where, errors);
                }
                else if (options == Options)
                {
                    foreach (var missing in members.Where(m => m.IsRequired && !errors.Has(m.Name) && !Given(root, m.Name).Any()))
                    {
                        errors.Add(missing.Name, $"{missing.Name} is required: {Form(missing)}.");
                    }

                    options = Lenient;
                }
                else
                {
                    break;
                }
            }
        }

        if (!errors.HasErrors)
        {
            errors.Add("body", $"The body is not a request this takes; its members are {string.Join(", ", members.Select(m => m.Name))}.");
        }

        return null;
    }

    /// <summary>The body without the members in <paramref name="left"/>.</summary>
    private static byte[] Without(JsonElement root, HashSet<string> left)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject().Where(p => !left.Contains(p.Name)))
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What System.Text.Json refused about member <paramref name="name"/>, said in the request's terms.</summary>
    private static void Explain(string name, JsonElement root, IList<JsonPropertyInfo> members, string where, MemberErrors errors)
    {
        var member = members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
        if (member is null)
        {
            errors.Add(name, $"'{Quote(name)}' is not a member {where}; use {string.Join(", ", members.Select(m => m.Name))}.");
        }
        else if (Given(root, member.Name).Count() is > 1 and var times)
        {
            errors.Add(member.Name, $"{member.Name} is given {times} times; give it once.");
        }
        else
        {
            errors.Add(member.Name, $"{member.Name} must be {Form(member)}{Sent(root, member)}.");
        }
    }

    /// <summary>The body's member a JSON path starts at (<c>$.shops[0]</c> → <c>shops</c>, <c>$['a b']</c> → <c>a b</c>); null for the body itself.</summary>
    internal static string? Member(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        if (path.StartsWith("$['", StringComparison.Ordinal) && path.IndexOf("']", 3, StringComparison.Ordinal) is > 3 and var end)
        {
            return path[3..end];
        }

        if (path.StartsWith("$.", StringComparison.Ordinal))
        {
            var rest = path[2..];
            var stop = rest.IndexOfAny(['.', '[']);
            return stop < 0 ? rest : rest[..stop];
        }

        return null;
    }

    private static void NothingRequired(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            property.IsRequired = false;
        }
    }

    private static IEnumerable<JsonProperty> Given(JsonElement root, string name) =>
        root.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>" (got …)" with the member's value as sent, or with only its kind for a secret; empty when it was not sent.</summary>
    private static string Sent(JsonElement root, JsonPropertyInfo? member)
    {
        if (member is null || !Given(root, member.Name).Any())
        {
            return "";
        }

        var value = Given(root, member.Name).First().Value;
        return Attribute<PasswordPropertyTextAttribute>(member) is { Password: true }
            ? $" (a JSON {Kind(value)} was sent; the value is not repeated here)"
            : $" (got {Quote(value.GetRawText())})";
    }

    private static string Form(JsonPropertyInfo member) =>
        Attribute<DescriptionAttribute>(member)?.Description ?? $"a JSON {member.PropertyType.Name.ToLowerInvariant()}";

    private static string Clr(JsonPropertyInfo member) => (member.AttributeProvider as MemberInfo)?.Name ?? member.Name;

    private static TAttribute? Attribute<TAttribute>(JsonPropertyInfo member)
        where TAttribute : Attribute =>
        member.AttributeProvider?.GetCustomAttributes(typeof(TAttribute), inherit: true).OfType<TAttribute>().FirstOrDefault();

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Quote(string text) => text.Length <= MaxQuoted ? text : string.Concat(text.AsSpan(0, MaxQuoted), "…");

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();
}
