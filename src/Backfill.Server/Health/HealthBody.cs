using System.Text.Json.Serialization;

namespace Backfill.Server.Health;

/// <summary>What <c>/healthz/…</c> answers: Healthy or Unhealthy, and each check's status, description and time taken.</summary>
internal sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks);

internal sealed record HealthCheckBody(string Status, string Description, double Milliseconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
