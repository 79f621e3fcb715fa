using Backfill.Server.Platforms;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Backfill.Server.Api;

/// <summary>What the generated OpenAPI document cannot see from the types alone: members read by a converter of their own.</summary>
internal static class OpenApiDescription
{
    public static void Describe(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type == typeof(Resettable))
        {
            // On the wire a number or null (null: back to the configured value), not the record's shape.
            schema.Type = JsonSchemaType.Number | JsonSchemaType.Null;
            schema.Properties?.Clear();
            schema.Required?.Clear();
        }

        return Task.CompletedTask;
    });
}
