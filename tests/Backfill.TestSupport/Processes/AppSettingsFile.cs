using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backfill.Testing;

/// <summary>Flat configuration keys (<c>Section:Key</c>) written as the nested appsettings.json a child process reads.</summary>
internal static class AppSettingsFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string directory, IEnumerable<KeyValuePair<string, string>> values)
    {
        Directory.CreateDirectory(directory);
        var root = new JsonObject();
        foreach (var (key, value) in values)
        {
            var node = root;
            var parts = key.Split(':');
            foreach (var part in parts[..^1])
            {
                if (node[part] is not JsonObject child)
                {
                    child = [];
                    node[part] = child;
                }

                node = child;
            }

            node[parts[^1]] = value;
        }

        File.WriteAllText(Path.Combine(directory, "appsettings.json"), root.ToJsonString(Indented));
    }
}
