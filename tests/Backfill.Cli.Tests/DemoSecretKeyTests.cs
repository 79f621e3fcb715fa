using Backfill.Cli.Commands;
using Backfill.Core.Secrets;

namespace Backfill.Cli.Tests;

public sealed class DemoSecretKeyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("backfill-demo-key-").FullName, "data");

    [Fact]
    public void TheFirstDemo_WritesAUsableKeyOnlyItsOwnerCanRead_TheNextReusesIt()
    {
        var first = DemoSecretKey.LoadOrCreate(_dir);
        var again = DemoSecretKey.LoadOrCreate(_dir);

        Assert.Null(SecretBox.Problem(first));
        Assert.Equal(first, again);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, DemoSecretKey.FileName)));
        }
    }

    [Fact]
    public void AKeyFileThatHoldsNoUsableKey_IsReplaced()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, DemoSecretKey.FileName), "not a key");

        var key = DemoSecretKey.LoadOrCreate(_dir);

        Assert.Null(SecretBox.Problem(key));
        Assert.Equal(key, File.ReadAllText(Path.Combine(_dir, DemoSecretKey.FileName)));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
}
