using Backfill.Core.Secrets;

namespace Backfill.Cli.Commands;

/// <summary>
/// The demo's <c>Backfill:SecretKey</c>: generated once into a file only its owner can read (mode 0600) beside the demo's
/// data, and reused by the next demo, so the demo refreshes and seals tokens as a fleet with a key does.
/// </summary>
internal static class DemoSecretKey
{
    public const string FileName = "demo-secret.key";

    /// <summary>The key in <paramref name="folder"/>'s key file, written first when it is missing or not a usable key.</summary>
    public static string LoadOrCreate(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is var known && SecretBox.Problem(known) is null)
        {
            return known;
        }

        Directory.CreateDirectory(folder);
        var key = SecretBox.NewKey();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(path);
        using (var file = new StreamWriter(path, options))
        {
            file.Write(key);
        }

        return key;
    }
}
