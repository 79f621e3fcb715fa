namespace Backfill.Testing;

/// <summary>Files of the repository the tests were built from: the one holding <c>Backfill.sln</c> above the test's folder.</summary>
internal static class RepositoryFiles
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Backfill.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Backfill.sln above {AppContext.BaseDirectory}.");
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root(), .. parts]);
}
