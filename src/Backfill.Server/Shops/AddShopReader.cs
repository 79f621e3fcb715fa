using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Backfill.Scheduling.Shops;
using Backfill.Server.Api;

namespace Backfill.Server.Shops;

/// <summary>The body of <c>POST /api/platforms/{name}/shops</c>. Holds tokens: never logged, never echoed.</summary>
public sealed record AddShopRequest
{
    internal const int MaxNameLength = 200;

    /// <summary>One word of printable characters: no space, no control character.</summary>
    private const string Token = @"^[^\s\p{C}]{1,4096}$";

    private const string OneWord = " must be one word of 1 to 4,096 printable characters, without spaces";

    [Description("the platform's shop id, e.g. \"10001\"")]
    [JsonConverter(typeof(ShopIdConverter))]
    public required string Shop { get; init; }

    [Description("a string, the shop's refresh token as the platform gave it when the seller authorised the app")]
    [PasswordPropertyText(true)]
    [MinLength(1, ErrorMessage = "refreshToken" + OneWord)]
    [RegularExpression(Token, ErrorMessage = "refreshToken" + OneWord)]
    public required string RefreshToken { get; init; }

    [Description("a string, the shop's current access token if the platform gave one")]
    [PasswordPropertyText(true)]
    [MinLength(1, ErrorMessage = "accessToken" + OneWord)]
    [RegularExpression(Token, ErrorMessage = "accessToken" + OneWord)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AccessToken { get; init; }

    [Description("a string of 1 to 200 characters, a name for people")]
    [StringLength(MaxNameLength, MinimumLength = 1, ErrorMessage = "name must be a string of {2} to {1} characters, a name for people")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    public override string ToString() => $"AddShopRequest {{ Shop = {Shop}, RefreshToken = ***, AccessToken = {(AccessToken is null ? "(none)" : "***")}, Name = {Name} }}";
}

/// <summary>
/// Reads an add-shop body strictly (<see cref="StrictBody"/>) and checks the shop id against the platform's adapter. A
/// message about a token member says what is wrong with it and never quotes it.
/// </summary>
internal static class AddShopReader
{
    public const string Example = """{"shop": "10001", "refreshToken": "…", "accessToken": "…", "name": "Main store"}""";

    /// <param name="kind">The platform's kind, whose adapter says what names a shop of it.</param>
    public static BodyReading<AddShopRequest> Read(ReadOnlyMemory<byte> body, string? kind)
    {
        var reading = StrictBody.Read<AddShopRequest>(body, Example);
        if (reading.Value is not { } request)
        {
            return reading;
        }

        if (ShopRules.ShopIdProblem(kind, request.Shop) is { } problem)
        {
            return BodyReading<AddShopRequest>.Invalid(new Dictionary<string, string[]> { ["shop"] = [problem] });
        }

        if (request.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            return BodyReading<AddShopRequest>.Invalid(new Dictionary<string, string[]> { ["name"] = [$"name must be a string of 1 to {AddShopRequest.MaxNameLength} characters, a name for people (got only spaces)."] });
        }

        return BodyReading<AddShopRequest>.Read(request with { Name = request.Name?.Trim() });
    }
}
