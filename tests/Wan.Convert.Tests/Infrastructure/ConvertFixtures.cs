namespace Wan.Convert.Tests.Infrastructure;

/// <summary>
/// Discovers every fixture set (a folder with fixture.json, original/ and diffusers/) under env
/// WAN_FIXTURES, else ../shared/fixtures from the repository root. With no set found, tests get one
/// case that fails, so a missing oracle never looks like a pass.
/// </summary>
public static class ConvertFixtures
{
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("WAN_FIXTURES");
            return !string.IsNullOrEmpty(env) ? Path.GetFullPath(env) : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
        }
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Wan.Runtime.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException($"Wan.Runtime.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>One test case per fixture set directory.</summary>
    public static IEnumerable<TestCaseData> AllSets()
    {
        var sets = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Where(d => File.Exists(Path.Combine(d, "fixture.json"))).Order(StringComparer.Ordinal).ToList()
            : [];
        if (sets.Count == 0)
        {
            yield return new TestCaseData(new object?[] { null }).SetName($"NoFixtureSetFound({Root})");
            yield break;
        }
        foreach (var set in sets)
        {
            yield return new TestCaseData(set).SetName(Path.GetFileName(set));
        }
    }

    public static string Require(string? set) =>
        set ?? throw new AssertionException($"no fixture set found under {Root} (set WAN_FIXTURES or place sets in ../shared/fixtures)");
}
