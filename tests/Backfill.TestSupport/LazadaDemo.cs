using Backfill.Simulators.Lazada;

namespace Backfill.Testing;

/// <summary>
/// appsettings.json's <c>lazada</c> platform made reachable: a test that runs <c>doctor</c>, which reads appsettings.json,
/// gives it this simulator and these settings so the platform's signed test call can be answered.
/// </summary>
internal static class LazadaDemo
{
    public const string AppSecret = "demo-app-secret-for-the-built-in-simulator";

    public static Task<LazadaSimulator> StartAsync() => LazadaSimulator.StartAsync(new LazadaSimulatorOptions
    {
        PermitsPerSecond = 20,
        AppKey = 100_001,
        AppSecret = AppSecret,
        AccessTokens = new Dictionary<string, string> { ["seller-a"] = "demo-lazada-token-seller-a", ["seller-b"] = "demo-lazada-token-seller-b" },
    });

    /// <summary>appsettings.json's <c>lazada</c> pointed at <paramref name="simulator"/>, for a scheduler and a doctor of the same configuration.</summary>
    public static Dictionary<string, string?> Settings(LazadaSimulator simulator) => new()
    {
        ["Platforms:lazada:Kind"] = "lazada",
        ["Platforms:lazada:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/'),
        ["Platforms:lazada:AppKey"] = "100001",
        ["Platforms:lazada:AppSecret"] = AppSecret,
        ["Platforms:lazada:RateLimit:PermitsPerSecond"] = "20",
        ["Platforms:lazada:Shops:seller-a:AccessToken"] = "demo-lazada-token-seller-a",
        ["Platforms:lazada:Shops:seller-b:AccessToken"] = "demo-lazada-token-seller-b",
    };
}
