using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Api;

/// <summary><c>/openapi/v1.json</c> describes every route the server maps, and the members of every body it reads.</summary>
[Trait("Category", "Integration")]
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task TheDocument_HasEveryRoute_AndNothingElse()
    {
        await using var harness = await ServerHarness.StartAsync();

        var document = await harness.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {Trim(path.Name)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mapped = harness.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/openapi/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Trim(e.RoutePattern.RawText!)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("POST /api/jobs", mapped);
        Assert.Contains("GET /api/jobs/{id}", mapped);
        Assert.Equal(mapped, described);
    }

    [Theory]
    [InlineData("/api/jobs", "platform,shops,from,to,days,releaseEvery,slicesPerRelease,priority,dryRun,data,timeField,allowOverlap", "platform,shops")]
    [InlineData("/api/jobs/{id}/retry", "slice,force", "")]
    [InlineData("/api/jobs/{id}/settings", "releaseEvery,slicesPerRelease,priority", "")]
    [InlineData("/api/platforms/{name}/limit", "permitsPerSecond,safetyMargin,force", "")]
    [InlineData("/api/platforms/{platform}/shops", "shop,refreshToken,accessToken,name", "shop,refreshToken")]
    public async Task EveryBody_IsDescribedWithItsMembersAndWhatTheyTake(string path, string members, string required)
    {
        await using var harness = await ServerHarness.StartAsync();
        var document = await harness.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var operation = document.GetProperty("paths").EnumerateObject().Single(p => Trim(p.Name) == path).Value.GetProperty("post");
        var schema = Resolve(document, operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));

        var properties = schema.GetProperty("properties");
        Assert.Equal(members.Split(','), properties.EnumerateObject().Select(p => p.Name));
        Assert.All(properties.EnumerateObject(), p => Assert.False(string.IsNullOrWhiteSpace(Description(p.Value)), $"{path}: {p.Name} has no description"));
        var requiredMembers = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal).ToArray() : [];
        Assert.Equal(required.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), requiredMembers);
    }

    [Fact]
    public async Task AResettableMember_IsANumberOrNull()
    {
        await using var harness = await ServerHarness.StartAsync();
        var document = await harness.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var resettable = document.GetProperty("components").GetProperty("schemas").GetProperty("Resettable");

        Assert.Equal(["number", "null"], resettable.GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal).Reverse());
        Assert.False(resettable.TryGetProperty("properties", out var properties) && properties.EnumerateObject().Any());
    }

    /// <summary>A member's description, also where the generator wraps a nullable reference in <c>oneOf</c>.</summary>
    private static string? Description(JsonElement member) =>
        member.TryGetProperty("description", out var description) ? description.GetString()
        : member.TryGetProperty("oneOf", out var options) ? options.EnumerateArray().Select(Description).FirstOrDefault(d => d is not null)
        : null;

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
