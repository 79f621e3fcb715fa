using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Simulators;

/// <summary>The simulator's own endpoints (not the platform contract) use web JSON conventions.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SimulatorStatsSnapshot))]
[JsonSerializable(typeof(SimulatorShopsSnapshot))]
[JsonSerializable(typeof(SimulatorSeconds))]
[JsonSerializable(typeof(IReadOnlyList<SimulatorCall>))]
public sealed partial class SimulatorJsonContext : JsonSerializerContext;
