namespace Wan.Testing;

/// <summary>
/// Discovers every fixture set under the fixtures root: env WAN_FIXTURES, else ../shared/fixtures
/// from the repository root. Golden tests take their cases from here; when no set is found they
/// get one case that fails, so a missing oracle can never look like a pass.
/// </summary>
public static class Fixtures
{
    /// <summary>The environment variable that names the fixtures root.</summary>
    public const string RootVariable = "WAN_FIXTURES";

    /// <summary>The fixtures root: $WAN_FIXTURES, else ../shared/fixtures beside the repository.</summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(RootVariable);
            if (!string.IsNullOrEmpty(env))
            {
                return Path.GetFullPath(env);
            }
            return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
        }
    }

    /// <summary>The first folder above the test binaries that holds Wan.Runtime.sln.</summary>
    public static string RepositoryRoot
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

    private static readonly Lazy<IReadOnlyList<FixtureSet>> LazySets = new(() => Discover(Root));

    /// <summary>Every set under <see cref="Root"/>, discovered once per test run.</summary>
    public static IReadOnlyList<FixtureSet> Sets => LazySets.Value;

    /// <summary>Every folder directly under <paramref name="root"/> that holds a fixture.json, in ordinal name order; none when the root is missing.</summary>
    public static IReadOnlyList<FixtureSet> Discover(string root) =>
        Directory.Exists(root)
            ? [.. Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "fixture.json"))).Order(StringComparer.Ordinal).Select(FixtureSet.Load)]
            : [];

    /// <summary>Test cases for every fixture case of the given kinds, named set/case.</summary>
    public static IEnumerable<TestCaseData> CasesOfKind(params string[] kinds) => CasesOfKindIn(Sets, Root, kinds);

    /// <summary>Test cases for every fixture set (for set-level tests such as the converter).</summary>
    public static IEnumerable<TestCaseData> AllSets() => AllSetsIn(Sets, Root);

    /// <summary>The cases of the given kinds in <paramref name="sets"/>; one failing case naming <paramref name="root"/> when there is no set.</summary>
    internal static IEnumerable<TestCaseData> CasesOfKindIn(IReadOnlyList<FixtureSet> sets, string root, string[] kinds)
    {
        if (sets.Count == 0)
        {
            yield return NoSetFound(root);
            yield break;
        }
        foreach (var set in sets)
        {
            foreach (var c in set.Cases.Where(c => kinds.Contains(c.Kind)))
            {
                yield return new TestCaseData(c).SetName($"{set.Name}/{c.Name}");
            }
        }
    }

    /// <summary>One case per set in <paramref name="sets"/>; one failing case naming <paramref name="root"/> when there is none.</summary>
    internal static IEnumerable<TestCaseData> AllSetsIn(IReadOnlyList<FixtureSet> sets, string root)
    {
        if (sets.Count == 0)
        {
            yield return NoSetFound(root);
            yield break;
        }
        foreach (var set in sets)
        {
            yield return new TestCaseData(set).SetName(set.Name);
        }
    }

    /// <summary>Fails the test when discovery found nothing (the null case above).</summary>
    public static T Require<T>(T? value) where T : class =>
        value ?? throw new AssertionException($"no fixture set found under {Root} (set {RootVariable} or place sets in ../shared/fixtures)");

    private static TestCaseData NoSetFound(string root) => new TestCaseData(new object?[] { null }).SetName($"NoFixtureSetFound({root})");
}
