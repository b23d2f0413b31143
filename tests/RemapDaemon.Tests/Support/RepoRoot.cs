namespace RemapDaemon.Tests.Support;

/// <summary>The checkout the tests run from: the first ancestor of the test binary holding RemapDaemon.sln.</summary>
internal static class RepoRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RemapDaemon.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no RemapDaemon.sln above {AppContext.BaseDirectory}");
    }
}
