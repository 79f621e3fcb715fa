using System.Text.Json;
using Backfill.Scheduling.Shops;
using Backfill.Server.Jobs;

namespace Backfill.Server.Shops;

/// <summary>What <c>POST /api/platforms/{name}/shops</c> asks for. Holds tokens: never logged, never echoed.</summary>
internal sealed record AddShopAsk(string Shop, string RefreshToken, string? AccessToken, string? Name)
{
    public override string ToString() => $"AddShopAsk {{ Shop = {Shop}, RefreshToken = ***, AccessToken = {(AccessToken is null ? "(none)" : "***")}, Name = {Name} }}";
}

/// <summary>
/// Reads an add-shop body by hand, as the job requests are read: every mistake named in the request's own terms, an unknown
/// member refused. A message about a token member says what is wrong with it and never quotes it.
/// </summary>
internal static class AddShopReader
{
    public const string Example = """{"shop": "10001", "refreshToken": "…", "accessToken": "…", "name": "Main store"}""";

    private const int MaxTokenLength = 4096;
    private const int MaxNameLength = 200;
    private static readonly string[] Members = ["shop", "refreshToken", "accessToken", "name"];

    /// <param name="kind">The platform's kind, whose adapter says what names a shop of it.</param>
    public static ControlReading<AddShopAsk> Read(ReadOnlyMemory<byte> body, string? kind)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Unreadable($"The body is empty; send a JSON object such as {Example}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Unreadable($"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send an object such as {Example}.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Unreadable($"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; send an object such as {Example}.");
            }

            var found = new BodyMembers(document.RootElement, Members, "here");
            var shop = Shop(found, kind);
            var refresh = Token(found, "refreshToken", required: true);
            var access = Token(found, "accessToken", required: false);
            var name = Name(found);
            return found.HasErrors || shop is null || refresh is null
                ? new(null, null, found.Errors)
                : new(new AddShopAsk(shop, refresh, access, name), null, new Dictionary<string, string[]>());
        }
    }

    private static string? Shop(BodyMembers found, string? kind)
    {
        if (!found.Values.TryGetValue("shop", out var value))
        {
            found.Error("shop", $"shop is required: the platform's shop id, e.g. {Example}.");
            return null;
        }

        var shop = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null;
        if (shop is null || ShopRules.ShopIdProblem(kind, shop) is not null)
        {
            found.Error("shop", ShopRules.ShopIdProblem(kind, shop ?? "") ?? "a shop is a string, e.g. \"10001\"");
            return null;
        }

        return shop;
    }

    /// <summary>A token member: one word of printable characters. What is wrong is said without the value.</summary>
    private static string? Token(BodyMembers found, string member, bool required)
    {
        if (!found.Values.TryGetValue(member, out var value))
        {
            if (required)
            {
                found.Error(member, $"{member} is required: the shop's refresh token, as the platform gave it when the seller authorised the app.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            found.Error(member, $"{member} must be a string (a JSON {value.ValueKind.ToString().ToLowerInvariant()} was sent).");
            return null;
        }

        var token = value.GetString()!.Trim();
        if (token.Length == 0 || token.Length > MaxTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            found.Error(member, $"{member} must be one word of 1 to {MaxTokenLength:N0} printable characters, without spaces (the value sent is not repeated here).");
            return null;
        }

        return token;
    }

    private static string? Name(BodyMembers found)
    {
        if (!found.Values.TryGetValue("name", out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim() is not { Length: > 0 and <= MaxNameLength } name)
        {
            found.Error("name", $"name must be a string of 1 to {MaxNameLength} characters, a name for people (got {(value.ValueKind == JsonValueKind.String ? $"{value.GetString()!.Length} characters" : $"a JSON {value.ValueKind.ToString().ToLowerInvariant()}")}).");
            return null;
        }

        return name;
    }

    private static ControlReading<AddShopAsk> Unreadable(string why) => new(null, why, new Dictionary<string, string[]>());
}
